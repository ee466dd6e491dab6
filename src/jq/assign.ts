import type { AssignOp } from './ast.js';
import { JqRuntimeError } from './errors.js';
import { InvalidPath, noPath, type Code, type Env, type Path } from './exec.js';
import * as ops from './ops.js';
import { errorPreview, isTruthy, type Value } from './values.js';

/** Every path of `lhs` on `input`, in order; a non-path result is jq's "Invalid path expression". */
export function collectPaths(lhs: Code, input: Value, env: Env | null): Path[] {
  const paths: Path[] = [];
  lhs.run(input, [], env, (_v, p) => {
    if (p instanceof InvalidPath) throw new JqRuntimeError(`Invalid path expression with result ${errorPreview(p.value)}`);
    paths.push(p!);
  });
  return paths;
}

const ARITH: Partial<Record<AssignOp, (a: Value, b: Value) => Value>> = {
  '+=': ops.add,
  '-=': ops.subtract,
  '*=': ops.multiply,
  '/=': ops.divide,
  '%=': ops.modulo,
  '//=': (a, b) => (isTruthy(a) ? a : b),
};

/**
 * `lhs |= f` updates each path with the first output of `f` (deleting the paths where it has
 * none, all at the end); `lhs = rhs` and `lhs op= rhs` run once per output of `rhs`, which sees
 * the original input.
 */
export function compileAssign(op: AssignOp, lhs: Code, rhs: Code): Code {
  if (op === '|=') {
    const rs = rhs.single;
    return {
      single: null,
      run: (input, path, env, emit) => {
        const paths = collectPaths(lhs, input, env);
        let acc = input;
        let dels: Path[] | null = null;
        for (const p of paths) {
          const old = ops.getpath(acc, p as Value[]);
          if (rs !== null) {
            acc = ops.setpath(acc, p as Value[], rs(old, env));
            continue;
          }
          const token = {};
          let got = false;
          let nv: Value = null;
          try {
            rhs.run(old, undefined, env, (u) => {
              nv = u;
              got = true;
              throw token;
            });
          } catch (e) {
            if (e !== token) throw e;
          }
          if (got) acc = ops.setpath(acc, p as Value[], nv);
          else (dels ??= []).push(p);
        }
        if (dels !== null) acc = ops.delpaths(acc, dels as Value[]);
        emit(acc, noPath(path, acc));
      },
    };
  }
  const f = ARITH[op];
  return {
    single: null,
    run: (input, path, env, emit) => {
      rhs.run(input, undefined, env, (v) => {
        let acc = input;
        for (const p of collectPaths(lhs, input, env)) {
          acc = ops.setpath(acc, p as Value[], f === undefined ? v : f(ops.getpath(acc, p as Value[]), v));
        }
        emit(acc, noPath(path, acc));
      });
    },
  };
}
