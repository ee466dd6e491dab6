/**
 * Random jq programs on random inputs, each under a small budget: the engine may return outputs
 * or throw one of its own errors (JqCompileError, JqRuntimeError, JqBudgetError), nothing else.
 * A TypeError, RangeError (stack overflow, invalid string length…) or a non-JSON output fails.
 *
 * Deterministic by default; explore with JQ_FUZZ_SEED=<n> / JQ_FUZZ_RUNS=<n>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compile,
  DEFAULT_LIMITS,
  JqBudgetError,
  JqCompileError,
  JqRuntimeError,
  type JqLimits,
  type Value,
} from '../../src/jq/index.js';
import { jqProgram, jsonInput } from './jq-arbitraries.js';

const RUNS = Number(process.env['JQ_FUZZ_RUNS'] ?? 500);
const SEED = Number(process.env['JQ_FUZZ_SEED'] ?? 20260702);

const LIMITS: JqLimits = {
  ...DEFAULT_LIMITS,
  timeoutMs: 50,
  maxSteps: 100_000,
  maxOutputBytes: 1_000_000,
  maxDepth: 200,
};

/** Is `v` plain JSON data as the engine promises (no undefined, functions, class instances)? */
function isValue(v: unknown, depth = 0): v is Value {
  if (depth > 10_000) return false;
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !isValue(v[i], depth + 1)) return false;
    return true;
  }
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v).every((x) => isValue(x, depth + 1));
}

type FuzzOutcome = 'outputs' | 'compile-error' | 'runtime-error' | 'budget';

/** Runs one program; returns how it ended, or throws what should never escape the engine. */
function fuzzOnce(source: string, input: Value): FuzzOutcome {
  let program;
  try {
    program = compile(source, { variables: ['x'] });
  } catch (e) {
    if (e instanceof JqCompileError) return 'compile-error';
    throw e;
  }
  try {
    const outputs: unknown = program.run(input, {
      variables: { x: { a: [1, 'two', null] } },
      limits: LIMITS,
      env: { HOME: '/nonexistent' },
      hooks: { debug: () => {}, stderr: () => {} },
    });
    if (!Array.isArray(outputs)) throw new Error(`run() returned ${typeof outputs}, not an array`);
    for (const v of outputs) if (!isValue(v)) throw new Error(`run() produced a non-JSON value: ${String(v)}`);
    return 'outputs';
  } catch (e) {
    if (e instanceof JqRuntimeError) return 'runtime-error';
    if (e instanceof JqBudgetError) return 'budget';
    throw e;
  }
}

describe('jq fuzz', () => {
  it(`survives ${RUNS} random programs (seed ${SEED})`, () => {
    const seen: Record<FuzzOutcome, number> = { outputs: 0, 'compile-error': 0, 'runtime-error': 0, budget: 0 };
    fc.assert(
      fc.property(jqProgram(3), jsonInput, (source, input) => {
        seen[fuzzOnce(source, input)]++;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    if (process.env['JQ_FUZZ_VERBOSE']) console.log('jq fuzz outcomes', seen);
    expect(Object.values(seen).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RUNS);
  });
});
