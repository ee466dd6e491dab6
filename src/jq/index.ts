/**
 * The jq engine: compile a program once, run it many times on plain JSON values.
 *
 *   const p = compile('.items | map(select(.price > $min))', { variables: ['min'] });
 *   p.run(input, { variables: { min: 10 } });   // every output, as an array
 *   p.one(input);                                // exactly one output, or a JqRuntimeError
 */
export { compile, clearCompileCache } from './program.js';
export type { CompileOptions, JqProgram, RunOptions, JqLimits, JqHooks } from './program.js';
export { DEFAULT_LIMITS } from './runtime.js';
export { JqError, JqCompileError, JqRuntimeError, JqBudgetError } from './errors.js';
export type { BudgetKind, SourcePosition } from './errors.js';
export type { Value, JsonObject, TypeName } from './values.js';
export { toJson, formatNumber, compare, equals, typeOf } from './values.js';
export { parseJson } from './json.js';
