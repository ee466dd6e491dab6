/**
 * Running jq's test cases against our engine and summarising the result. Shared by
 * `npm run conformance:jq` (scripts/conformance-jq.ts) and test/jq/conformance.test.ts.
 */
import {
  compile,
  DEFAULT_LIMITS,
  equals,
  JqBudgetError,
  JqCompileError,
  JqError,
  JqRuntimeError,
  parseJson,
  toJson,
  type JqLimits,
  type Value,
} from '../../src/jq/index.js';
import { EXCLUSION_REASONS, exclusionOf, type ExclusionReason, type JqCase } from './jq-cases.js';

/** Per-case limits: generous for jq's suite, small enough that nothing hangs. */
export const CASE_LIMITS: JqLimits = { ...DEFAULT_LIMITS, timeoutMs: 2_000, maxSteps: 10_000_000 };

/** jq's test harness runs with PAGER=less (man.test reads `$ENV.PAGER` and `env.PAGER`). */
export const CASE_ENV: Record<string, string> = { PAGER: 'less' };

export type FailureKind =
  /** A program that should run failed to compile. */
  | 'compile-error'
  /** The program raised a jq error (`error`, a type error, …) where outputs were expected. */
  | 'runtime-error'
  /** The program hit a limit (steps, time, output, depth). */
  | 'budget'
  /** Outputs differ in value, count or order (at most one more output than expected is asked for). */
  | 'mismatch'
  /** A `%%FAIL` program compiled. */
  | 'compiled'
  /** parseJson rejected the case's input line. */
  | 'bad-input'
  /** parseJson rejected an expected output line. */
  | 'bad-expected';

export type CaseOutcome =
  | {
      status: 'pass';
      /** For `%%FAIL` cases: does our message read like jq's? */
      messageMatch?: { exact: boolean; detail: boolean; actual: string };
      /** The program raised this jq error after its expected outputs (jq's runner accepts that). */
      trailingError?: string;
    }
  | { status: 'excluded'; reason: ExclusionReason }
  | { status: 'fail'; kind: FailureKind; actual?: string[]; error?: string }
  /** A JavaScript error that is not a JqError escaped the engine (target: zero). */
  | { status: 'crash'; error: string; stack?: string };

export interface CaseResult {
  case: JqCase;
  outcome: CaseOutcome;
  ms: number;
}

export interface FileSummary {
  file: string;
  total: number;
  passed: number;
  failed: number;
  crashed: number;
  excluded: number;
  excludedBy: Partial<Record<ExclusionReason, number>>;
  /** `%%FAIL` cases (with a message to check) that failed to compile, and how many messages matched. */
  failCases: { checked: number; exactMessage: number; detailMessage: number };
}

export interface SuiteResult {
  files: FileSummary[];
  total: FileSummary;
  results: CaseResult[];
}

function describeError(e: unknown): string {
  if (e instanceof JqBudgetError) return `${e.name}(${e.kind}): ${e.message}`;
  if (e instanceof JqRuntimeError) return `${e.name}: ${toJson(e.value)}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function crash(e: unknown): CaseOutcome {
  return {
    status: 'crash',
    error: describeError(e),
    ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
  };
}

/** jq's first message line for a compile error, e.g. `jq: error: … at <top-level>, line 1, column 3:`. */
export function jqCompileMessage(e: JqCompileError): string {
  return `jq: error: ${e.detail} at <top-level>, line ${e.position.line}, column ${e.position.column}:`;
}

function expectedDetail(message: string): string {
  return message.replace(/^jq: error: /, '').replace(/ at <top-level>, line \d+, column \d+:$/, '');
}

/** Runs one case (exclusions are checked by the caller). Never throws. */
export function runCase(c: JqCase): CaseOutcome {
  if (c.kind === 'fail') {
    try {
      compile(c.program);
    } catch (e) {
      if (!(e instanceof JqCompileError)) return crash(e);
      const actual = jqCompileMessage(e);
      return {
        status: 'pass',
        messageMatch: {
          exact: actual === c.message,
          detail: e.detail === expectedDetail(c.message),
          actual,
        },
      };
    }
    return { status: 'fail', kind: 'compiled' };
  }

  let input: Value;
  try {
    input = parseJson(c.input);
  } catch (e) {
    if (!(e instanceof JqError)) return crash(e);
    return { status: 'fail', kind: 'bad-input', error: describeError(e) };
  }
  const expected: Value[] = [];
  for (const line of c.expected) {
    try {
      // Normalised like the outputs below (jq prints infinities as ±DBL_MAX and nan as null),
      // so `9E+999999999` still matches an infinite result.
      expected.push(parseJson(toJson(parseJson(line))));
    } catch (e) {
      if (!(e instanceof JqError)) return crash(e);
      return { status: 'fail', kind: 'bad-expected', error: `${line}: ${describeError(e)}` };
    }
  }

  // Like jq's runner: ask for one output more than expected (so an endless generator still
  // ends), and treat a jq error as the end of the outputs: a program that errors after producing
  // every expected output passes, as it does in jq.
  const outputs: Value[] = [];
  let trailingError: string | undefined;
  try {
    const program = compile(c.program);
    program.each(
      input,
      (v) => {
        outputs.push(v);
        return outputs.length <= expected.length;
      },
      { env: CASE_ENV, limits: CASE_LIMITS, hooks: { debug: () => {}, stderr: () => {} } },
    );
  } catch (e) {
    if (e instanceof JqCompileError) return { status: 'fail', kind: 'compile-error', error: e.message };
    if (!(e instanceof JqError)) return crash(e);
    const error = describeError(e);
    if (e instanceof JqBudgetError) return { status: 'fail', kind: 'budget', error, actual: jsonOf(outputs) };
    if (outputs.length < expected.length) {
      return { status: 'fail', kind: 'runtime-error', error, actual: jsonOf(outputs) };
    }
    trailingError = error;
  }

  let actual: string[];
  let normalised: Value[];
  try {
    actual = jsonOf(outputs);
    normalised = actual.map((s) => parseJson(s));
  } catch (e) {
    return crash(e);
  }
  const same =
    normalised.length === expected.length && normalised.every((v, i) => equals(v, expected[i]!));
  if (same) return trailingError === undefined ? { status: 'pass' } : { status: 'pass', trailingError };
  return {
    status: 'fail',
    kind: 'mismatch',
    actual,
    ...(trailingError === undefined ? {} : { error: `then ${trailingError}` }),
  };
}

function jsonOf(values: Value[]): string[] {
  return values.map((v) => toJson(v));
}

function emptySummary(file: string): FileSummary {
  return {
    file,
    total: 0,
    passed: 0,
    failed: 0,
    crashed: 0,
    excluded: 0,
    excludedBy: {},
    failCases: { checked: 0, exactMessage: 0, detailMessage: 0 },
  };
}

function add(s: FileSummary, r: CaseResult): void {
  s.total++;
  const o = r.outcome;
  switch (o.status) {
    case 'pass':
      s.passed++;
      if (o.messageMatch && r.case.kind === 'fail' && r.case.checkMessage) {
        s.failCases.checked++;
        if (o.messageMatch.exact) s.failCases.exactMessage++;
        if (o.messageMatch.detail) s.failCases.detailMessage++;
      }
      break;
    case 'fail':
      s.failed++;
      break;
    case 'crash':
      s.crashed++;
      break;
    case 'excluded':
      s.excluded++;
      s.excludedBy[o.reason] = (s.excludedBy[o.reason] ?? 0) + 1;
      break;
  }
}

/** Runs every case of a parsed suite (see loadSuite), file by file. */
export function runSuite(suite: Map<string, JqCase[]>): SuiteResult {
  const files: FileSummary[] = [];
  const total = emptySummary('total');
  const results: CaseResult[] = [];
  for (const [file, cases] of suite) {
    const summary = emptySummary(file);
    for (const c of cases) {
      const start = performance.now();
      const reason = exclusionOf(c);
      const outcome: CaseOutcome = reason ? { status: 'excluded', reason } : runCase(c);
      const r: CaseResult = { case: c, outcome, ms: performance.now() - start };
      results.push(r);
      add(summary, r);
      add(total, r);
    }
    files.push(summary);
  }
  return { files, total, results };
}

/** Passed / (total - excluded) over some files, in percent (NaN when nothing counts). */
export function passRate(result: SuiteResult, fileNames: string[]): { passed: number; counted: number; percent: number } {
  let passed = 0;
  let counted = 0;
  for (const f of result.files) {
    if (!fileNames.includes(f.file)) continue;
    passed += f.passed;
    counted += f.total - f.excluded;
  }
  return { passed, counted, percent: counted === 0 ? NaN : (100 * passed) / counted };
}

/** A short label grouping failures by likely cause, for the summary. */
export function failureCategory(r: CaseResult): string | null {
  const o = r.outcome;
  if (o.status === 'crash') return `crash: ${o.error.split('\n')[0]!.slice(0, 100)}`;
  if (o.status !== 'fail') return null;
  switch (o.kind) {
    case 'compile-error': {
      const msg = (o.error ?? '').replace(/ at line \d+, column \d+$/, '');
      const undef = /(\S+\/\d+) is not defined/.exec(msg);
      if (undef) return `compile: ${undef[1]} is not defined`;
      return `compile: ${msg.slice(0, 100)}`;
    }
    case 'runtime-error':
      return `runtime: ${(o.error ?? '').replace(/^JqRuntimeError: /, '').slice(0, 100)}`;
    case 'budget':
      return `budget: ${(o.error ?? '').slice(0, 60)}`;
    default:
      return o.kind;
  }
}

export function exclusionLabel(reason: ExclusionReason): string {
  return EXCLUSION_REASONS[reason];
}
