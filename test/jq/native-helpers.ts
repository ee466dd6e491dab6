import { expect } from 'vitest';
import type { BuiltinModule } from '../../src/jq/builtins/types.js';
import { JqRuntimeError } from '../../src/jq/errors.js';
import { compile } from '../../src/jq/index.js';
import type { Value } from '../../src/jq/values.js';

/** Calls a module's natives directly, and reads the jq error message a call raises. */
export function nativeCaller(module: BuiltinModule): {
  call: (name: string, input: Value, ...args: Value[]) => Value;
  errorOf: (name: string, input: Value, ...args: Value[]) => string;
} {
  const call = (name: string, input: Value, ...args: Value[]): Value => {
    const fn = module.natives[name];
    if (fn === undefined) throw new Error(`no native ${name}`);
    return fn(input, ...args);
  };
  const errorOf = (name: string, input: Value, ...args: Value[]): string => {
    try {
      call(name, input, ...args);
    } catch (e) {
      expect(e).toBeInstanceOf(JqRuntimeError);
      return (e as Error).message;
    }
    throw new Error(`${name} did not fail`);
  };
  return { call, errorOf };
}

export const run = (program: string, input: Value): Value[] => compile(program).run(input);
