/**
 * `npm run bench [-- --quick] [-- <suite>…]`: runs every benchmark suite and prints one table per suite.
 * Add a suite by exporting a BenchSuite from bench/<area>.ts and listing it below.
 * BENCH_DURATION_MS sets the measuring time per benchmark (default 2000; --quick: 300).
 * Naming suites runs only those: `npm run bench -- engine` runs every suite whose title is
 * `engine` or starts with `engine ` (both engine suites); `npm run bench -- jq` only the jq one.
 */
import { formatTable, type BenchSuite } from './harness.js';
import { engineLatencySuite, engineTransitionsSuite } from './engine.js';
import { actionsSuite } from './actions.js';
import { eventsSuite } from './events.js';
import { jqSuite } from './jq.js';

const SUITES: BenchSuite[] = [jqSuite, engineTransitionsSuite, engineLatencySuite, eventsSuite, actionsSuite];

function selected(title: string, only: readonly string[]): boolean {
  return only.length === 0 || only.some((o) => title === o || title.startsWith(`${o} `));
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const durationMs = Number(process.env['BENCH_DURATION_MS'] ?? (quick ? 300 : 2_000));
  const warmupMs = Math.min(500, Math.max(100, durationMs / 4));
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const unknown = only.filter((o) => !SUITES.some((s) => selected(s.title, [o])));
  if (unknown.length > 0) {
    throw new Error(`no benchmark suite named ${unknown.join(', ')} (suites: ${SUITES.map((s) => s.title).join(', ')})`);
  }
  process.stdout.write(`node ${process.version}, ${durationMs} ms per benchmark\n\n`);
  for (const suite of SUITES) {
    if (!selected(suite.title, only)) continue;
    const result = await suite.run({ durationMs, warmupMs });
    const { rows, footer } = Array.isArray(result) ? { rows: result, footer: [] } : result;
    process.stdout.write(formatTable(suite.title, rows, footer) + '\n\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
