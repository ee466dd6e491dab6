import { Compiler, pushVar, type Scope } from './compiler.js';
import { JqBudgetError, JqRuntimeError } from './errors.js';
import { BreakSignal, Env, type Fn } from './exec.js';
import { parse } from './parser.js';
import { DEFAULT_LIMITS, RunContext, enterContext, leaveContext, type JqHooks, type JqLimits } from './runtime.js';
import { HaltSignal } from './specials.js';
import type { Value } from './values.js';

export type { JqHooks, JqLimits };

export interface CompileOptions {
  /** Names (without `$`) of the variables the program may use; their values come with each run. */
  variables?: readonly string[];
}

export interface RunOptions {
  /** Values of the variables declared at compile time (names without `$`). Missing ones are null. */
  variables?: Readonly<Record<string, Value>>;
  /** What `$ENV` and `env` see. Empty unless given: programs cannot read the process environment. */
  env?: Readonly<Record<string, string>>;
  limits?: Partial<JqLimits>;
  hooks?: JqHooks;
}

export interface JqProgram {
  readonly source: string;
  readonly variables: readonly string[];
  /** Every output, in order. */
  run(input: Value, options?: RunOptions): Value[];
  /** Calls `onOutput` for each output as it is produced; return false to stop early. */
  each(input: Value, onOutput: (v: Value) => boolean | void, options?: RunOptions): void;
  /** The first output, or undefined when there is none (the rest is not evaluated). */
  first(input: Value, options?: RunOptions): Value | undefined;
  /** Exactly one output; anything else is a JqRuntimeError. */
  one(input: Value, options?: RunOptions): Value;
}

const CACHE_LIMIT = 2_000;
const cache = new Map<string, JqProgram>();

/** Compiles a program, or returns the cached compilation of the same source and variables. */
export function compile(source: string, options: CompileOptions = {}): JqProgram {
  const variables = options.variables ?? [];
  const key = variables.length === 0 ? source : `${variables.join(',')}\u0000${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const program = build(source, variables);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, program);
  return program;
}

export function clearCompileCache(): void {
  cache.clear();
}

const STOP = {};

function build(source: string, variables: readonly string[]): JqProgram {
  for (const v of variables) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new TypeError(`invalid jq variable name: ${JSON.stringify(v)}`);
  }
  const ast = parse(source);
  let scope: Scope | null = null;
  for (const v of variables) scope = pushVar(scope, v);
  const fn: Fn = new Compiler(source).compile(ast, scope).run;

  const each = (input: Value, onOutput: (v: Value) => boolean | void, options: RunOptions = {}): void => {
    const limits: JqLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const values = options.variables ?? {};
    const ctx = new RunContext(limits, { ...options.env }, options.hooks ?? {}, values);
    let env: Env | null = null;
    for (const v of variables) env = new Env(env, Object.prototype.hasOwnProperty.call(values, v) ? values[v]! : null, null);
    let outBytes = 0;
    const prev = enterContext(ctx);
    try {
      fn(input, undefined, env, (v) => {
        outBytes += approximateSize(v, limits.maxOutputBytes - outBytes);
        if (outBytes > limits.maxOutputBytes) throw new JqBudgetError('output', limits.maxOutputBytes);
        if (onOutput(v) === false) throw STOP;
      });
    } catch (e) {
      if (e === STOP) return;
      if (e instanceof HaltSignal) {
        if (e.isError) throw new JqRuntimeError(e.value);
        return;
      }
      if (e instanceof BreakSignal) throw new JqRuntimeError('break');
      if (e instanceof RangeError) {
        if (/call stack/i.test(e.message)) throw new JqBudgetError('depth', limits.maxDepth);
        throw new JqBudgetError('output', limits.maxOutputBytes);
      }
      throw e;
    } finally {
      leaveContext(prev);
    }
  };

  return {
    source,
    variables: [...variables],
    each,
    run(input, options) {
      const out: Value[] = [];
      each(input, (v) => {
        out.push(v);
      }, options);
      return out;
    },
    first(input, options) {
      let got: Value | undefined;
      each(input, (v) => {
        got = v;
        return false;
      }, options);
      return got;
    },
    one(input, options) {
      const out: Value[] = [];
      each(input, (v) => {
        out.push(v);
        if (out.length > 1) return false;
      }, options);
      if (out.length !== 1) {
        throw new JqRuntimeError(
          out.length === 0 ? 'jq program produced no output, expected exactly one' : 'jq program produced more than one output, expected exactly one',
        );
      }
      return out[0]!;
    },
  };
}

/** Size of a value as compact JSON, roughly, stopping once it passes `budget`. */
function approximateSize(v: Value, budget: number): number {
  let total = 0;
  const stack: Value[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x === null || typeof x === 'boolean') total += 5;
    else if (typeof x === 'number') total += 8;
    else if (typeof x === 'string') total += x.length + 2;
    else if (Array.isArray(x)) {
      total += 2 + x.length;
      for (let i = 0; i < x.length; i++) stack.push(x[i]!);
    } else {
      for (const k in x) {
        total += k.length + 4;
        stack.push(x[k]!);
      }
      total += 2;
    }
    if (total > budget) return total;
  }
  return total;
}
