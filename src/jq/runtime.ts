import { JqBudgetError } from './errors.js';
import type { Value } from './values.js';

/** Limits of one evaluation. Exceeding any raises JqBudgetError, which `try` cannot catch. */
export interface JqLimits {
  /** Steps (function calls, iterations, loop rounds) before the evaluation is stopped. */
  maxSteps: number;
  /** Wall-clock time for the whole evaluation, in milliseconds. */
  timeoutMs: number;
  /** Total size of all outputs, measured as compact JSON bytes (approximately, for speed). */
  maxOutputBytes: number;
  /** Nesting of function calls (recursion) before the evaluation is stopped. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Readonly<JqLimits> = Object.freeze({
  maxSteps: 50_000_000,
  timeoutMs: 10_000,
  maxOutputBytes: 64 * 1024 * 1024,
  maxDepth: 2_000,
});

/** Where `input`, `debug` and `stderr` go. Without hooks, `input` fails and the others do nothing. */
export interface JqHooks {
  /** The next input for `input`/`inputs`; `undefined` when there is none left. */
  input?: () => Value | undefined;
  debug?: (message: Value) => void;
  stderr?: (message: Value) => void;
}

const CHECK_EVERY = 1024;

/** The state of the evaluation running now (evaluation is synchronous, so one at a time per stack). */
export class RunContext {
  steps = 0;
  depth = 0;
  private nextCheck = CHECK_EVERY;
  private readonly deadline: number;

  constructor(
    readonly limits: JqLimits,
    readonly env: Record<string, string>,
    readonly hooks: JqHooks,
    readonly variables: Record<string, Value>,
  ) {
    this.deadline = Date.now() + limits.timeoutMs;
  }

  /** Called every CHECK_EVERY steps: the step and time budgets. */
  check(): void {
    if (this.steps > this.limits.maxSteps) throw new JqBudgetError('steps', this.limits.maxSteps);
    if (Date.now() > this.deadline) throw new JqBudgetError('time', this.limits.timeoutMs);
    this.nextCheck = this.steps + CHECK_EVERY;
  }

  get due(): number {
    return this.nextCheck;
  }
}

let current: RunContext | null = null;

export function currentContext(): RunContext {
  if (current === null) throw new Error('jq: no evaluation is running');
  return current;
}

export function enterContext(ctx: RunContext): RunContext | null {
  const prev = current;
  current = ctx;
  return prev;
}

export function leaveContext(prev: RunContext | null): void {
  current = prev;
}

/** Counts one step of work; cheap enough for every loop round and call. */
export function step(): void {
  const c = current!;
  if (++c.steps >= c.due) c.check();
}

export function enterCall(): void {
  const c = current!;
  if (++c.depth > c.limits.maxDepth) throw new JqBudgetError('depth', c.limits.maxDepth);
  if (++c.steps >= c.due) c.check();
}

export function leaveCall(): void {
  current!.depth--;
}

/**
 * Refuses strings and arrays larger than the output limit as they are made, before a builtin
 * like `@sh` or `+` grows one past what V8 can allocate (which would end the process).
 */
export function guardSize<T extends Value>(v: T): T {
  if (typeof v === 'string') {
    const max = current!.limits.maxOutputBytes;
    if (v.length > max) throw new JqBudgetError('output', max);
  } else if (Array.isArray(v)) {
    const max = current!.limits.maxOutputBytes;
    if (v.length * 2 > max) throw new JqBudgetError('output', max);
  }
  return v;
}
