import type { Value } from '../values.js';

/**
 * A native builtin. Its jq arguments are evaluated to values first (one call per combination
 * of argument outputs), and it returns exactly one output or throws a JqRuntimeError.
 * Keys of a table are `name/arity`, e.g. `ltrimstr/1`; `input` is jq's `.`.
 */
export type NativeFunction = (input: Value, ...args: Value[]) => Value;

export type NativeTable = Record<string, NativeFunction>;

/** What a group of builtins contributes: natives plus definitions written in jq. */
export interface BuiltinModule {
  natives: NativeTable;
  /** jq source of `def`s, each ending in `;`. May call natives and other builtins. */
  jq: string;
}
