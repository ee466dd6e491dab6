/**
 * `npm run conformance:jq [-- options]`: runs jq's own test suite (../shared/conformance/jq/*.test,
 * or $JQ_CONFORMANCE_DIR) against src/jq and prints a score per file.
 *
 *   --verbose          list every failure (default: the first 25)
 *   --report FILE      write the full list of failures and exclusions to FILE
 *   --file NAME        only run this file (repeatable), e.g. --file jq.test
 *   --fail-on-crash    exit 1 when a non-jq JavaScript error escaped the engine
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceDir, EXCLUSION_REASONS, loadSuite, type ExclusionReason } from './conformance/jq-cases.js';
import {
  failureCategory,
  passRate,
  runSuite,
  type CaseResult,
  type FileSummary,
  type SuiteResult,
} from './conformance/jq-run.js';

interface Options {
  verbose: boolean;
  report: string | null;
  files: string[];
  failOnCrash: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { verbose: false, report: null, files: [], failOnCrash: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--fail-on-crash') o.failOnCrash = true;
    else if (a === '--report' && argv[i + 1]) o.report = argv[++i]!;
    else if (a === '--file' && argv[i + 1]) o.files.push(argv[++i]!);
    else {
      process.stderr.write(`unknown argument: ${a}\n`);
      process.exit(2);
    }
  }
  return o;
}

const pct = (n: number): string => (Number.isNaN(n) ? '-' : `${n.toFixed(1)}%`);

function table(rows: FileSummary[]): string {
  const head = ['file', 'cases', 'passed', 'failed', 'crashed', 'excluded', 'pass%'];
  const body = rows.map((r) => [
    r.file,
    String(r.total),
    String(r.passed),
    String(r.failed),
    String(r.crashed),
    String(r.excluded),
    pct((100 * r.passed) / (r.total - r.excluded)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const lines = [fmt(head), ...body.slice(0, -1).map(fmt), '-'.repeat(fmt(head).length), fmt(body.at(-1)!)];
  return lines.join('\n');
}

function indent(s: string, by = '      '): string {
  return s
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** One failure, with what jq's runner would show: program, input, expected, actual or error. */
function formatFailure(r: CaseResult): string {
  const c = r.case;
  const o = r.outcome;
  const out = [`${c.file}:${c.line}  ${c.program}`];
  if (c.kind === 'fail') {
    out.push(`    must fail to compile with: ${c.message}`);
  } else {
    out.push(`    input:    ${c.input}`);
    out.push(`    expected: ${c.expected.length === 0 ? '(no output)' : c.expected.join('\n              ')}`);
  }
  if (o.status === 'fail') {
    out.push(`    failure:  ${o.kind}`);
    if (o.actual) out.push(`    actual:   ${o.actual.length === 0 ? '(no output)' : o.actual.join('\n              ')}`);
    if (o.error) out.push(`    error:    ${o.error}`);
  } else if (o.status === 'crash') {
    out.push(`    CRASH:    ${o.error}`);
    if (o.stack) out.push(indent(o.stack.split('\n').slice(1, 8).join('\n')));
  }
  return out.join('\n');
}

function summarise(result: SuiteResult, dir: string, opts: Options): string {
  const out: string[] = [];
  out.push(`jq conformance: ${dir}`, '');
  out.push(table([...result.files, result.total]), '');

  const main = passRate(result, ['jq.test', 'man.test']);
  const onig = passRate(result, ['onig.test', 'manonig.test']);
  out.push(`jq.test + man.test:        ${main.passed}/${main.counted} (${pct(main.percent)}) of cases not excluded`);
  out.push(`onig.test + manonig.test:  ${onig.passed}/${onig.counted} (${pct(onig.percent)})`);
  const fc = result.total.failCases;
  out.push(
    `%%FAIL cases rejected with a message to check: ${fc.checked}; message identical: ${fc.exactMessage}, ` +
      `same text ignoring position: ${fc.detailMessage}`,
  );
  out.push(`crashes (non-jq JavaScript errors): ${result.total.crashed}`, '');

  const reasons = Object.entries(result.total.excludedBy) as [ExclusionReason, number][];
  if (reasons.length > 0) {
    out.push(`Excluded (${result.total.excluded}):`);
    for (const [reason, n] of reasons) out.push(`  ${String(n).padStart(4)}  ${EXCLUSION_REASONS[reason]}`);
    const decnum = result.results.filter((r) => r.outcome.status === 'excluded' && r.outcome.reason === 'decnum');
    for (const r of decnum) out.push(`        decnum: ${r.case.file}:${r.case.line}  ${r.case.program}`);
    out.push('');
  }

  const categories = new Map<string, number>();
  for (const r of result.results) {
    const cat = failureCategory(r);
    if (cat) categories.set(cat, (categories.get(cat) ?? 0) + 1);
  }
  if (categories.size > 0) {
    const sorted = [...categories].sort((a, b) => b[1] - a[1]);
    const shown = opts.verbose ? sorted : sorted.slice(0, 30);
    out.push(`Failures by cause (${sorted.length} causes${shown.length < sorted.length ? ', top 30' : ''}):`);
    for (const [cat, n] of shown) out.push(`  ${String(n).padStart(4)}  ${cat}`);
    out.push('');
  }

  const failures = result.results.filter((r) => r.outcome.status === 'fail' || r.outcome.status === 'crash');
  const crashes = failures.filter((r) => r.outcome.status === 'crash');
  // Crashes first: they are bugs whatever the feature coverage.
  const ordered = [...crashes, ...failures.filter((r) => r.outcome.status !== 'crash')];
  const limit = opts.verbose ? ordered.length : 25;
  if (ordered.length > 0) {
    out.push(
      `Failures (${ordered.length}${limit < ordered.length ? `, first ${limit}; --verbose for all, --report FILE to save` : ''}):`,
    );
    for (const r of ordered.slice(0, limit)) out.push(formatFailure(r));
    out.push('');
  }

  const slow = [...result.results].sort((a, b) => b.ms - a.ms).slice(0, 5);
  out.push(`Slowest cases: ${slow.map((r) => `${r.case.file}:${r.case.line} ${r.ms.toFixed(0)} ms`).join(', ')}`);
  return out.join('\n');
}

function report(result: SuiteResult): string {
  const out: string[] = [];
  for (const r of result.results) {
    if (r.outcome.status === 'fail' || r.outcome.status === 'crash') out.push(formatFailure(r), '');
  }
  out.push('Excluded cases:');
  for (const r of result.results) {
    if (r.outcome.status === 'excluded') out.push(`  [${r.outcome.reason}] ${r.case.file}:${r.case.line}  ${r.case.program}`);
  }
  out.push('', 'Rejected %%FAIL programs whose message differs from jq:');
  for (const r of result.results) {
    const o = r.outcome;
    if (o.status === 'pass' && o.messageMatch && !o.messageMatch.exact && r.case.kind === 'fail' && r.case.checkMessage) {
      out.push(`  ${r.case.file}:${r.case.line}  ${r.case.program}`, `    jq:   ${r.case.message}`, `    ours: ${o.messageMatch.actual}`);
    }
  }
  return out.join('\n') + '\n';
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = conformanceDir(repoRoot);
  let suite = loadSuite(dir);
  if (opts.files.length > 0) suite = new Map([...suite].filter(([f]) => opts.files.includes(f)));
  if (suite.size === 0) {
    process.stderr.write(`no .test files found in ${dir}\n`);
    process.exit(2);
  }
  const result = runSuite(suite);
  process.stdout.write(summarise(result, dir, opts) + '\n');
  if (opts.report) {
    writeFileSync(opts.report, report(result));
    process.stdout.write(`Full list written to ${opts.report}\n`);
  }
  if (opts.failOnCrash && result.total.crashed > 0) process.exit(1);
}

main();
