import type { Value } from './values.js';
import { errorPreview, typeOf } from './values.js';

/** Base class of every error the jq engine raises on purpose. */
export class JqError extends Error {
  override name = 'JqError';
}

export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

/** The program text is not valid jq, or names something undefined. */
export class JqCompileError extends JqError {
  override name = 'JqCompileError';
  constructor(
    message: string,
    readonly position: SourcePosition,
  ) {
    super(`${message} at line ${position.line}, column ${position.column}`);
    this.detail = message;
  }
  /** The message without the position. */
  readonly detail: string;
}

/**
 * A jq runtime error: `error(v)` or a failing builtin. `value` is the jq error value
 * (what `try ... catch .` sees); `message` is jq's text for it.
 */
export class JqRuntimeError extends JqError {
  override name = 'JqRuntimeError';
  constructor(readonly value: Value) {
    super(runtimeMessage(value));
  }
}

function runtimeMessage(value: Value): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null (null) not a string';
  return `${errorPreview(value)} (not a string)`;
}

export type BudgetKind = 'steps' | 'time' | 'output' | 'depth';

/** The evaluation exceeded one of its limits; never catchable by jq's `try`. */
export class JqBudgetError extends JqError {
  override name = 'JqBudgetError';
  constructor(
    readonly kind: BudgetKind,
    readonly limit: number,
  ) {
    super(budgetMessage(kind, limit));
  }
}

function budgetMessage(kind: BudgetKind, limit: number): string {
  switch (kind) {
    case 'steps':
      return `jq evaluation exceeded its budget of ${limit} steps`;
    case 'time':
      return `jq evaluation exceeded its time limit of ${limit} ms`;
    case 'output':
      return `jq output exceeded its size limit of ${limit} bytes`;
    case 'depth':
      return `jq evaluation exceeded the maximum depth of ${limit} (nesting or recursion too deep)`;
  }
}

/** Shorthand used by builtins: throw a jq error with a message. */
export function fail(message: string): never {
  throw new JqRuntimeError(message);
}

/** `<type> (<preview>) <what>`: the shape of most of jq's type errors. */
export function typeFail(v: Value, what: string): never {
  throw new JqRuntimeError(`${describe(v)} ${what}`);
}

/** `number (1)`: a value's type and a truncated dump, as jq writes it in messages. */
export function describe(v: Value): string {
  return `${typeOf(v)} (${errorPreview(v)})`;
}
