/**
 * Builtins that control evaluation itself (outputs, paths, early exit, loops) and so are
 * compiled directly instead of being called with argument values. Loops that jq writes as
 * recursion (`recurse`, `repeat`, `while`, `until`) run iteratively here, so they are not
 * bounded by the JavaScript stack.
 */
import { collectPaths } from './assign.js';
import { JqRuntimeError, fail } from './errors.js';
import { fromSingle, InvalidPath, noPath, type Code, type Env, type Fn, type PathT } from './exec.js';
import * as ops from './ops.js';
import { currentContext, step } from './runtime.js';
import { errorPreview, isObject, isTruthy, type Value } from './values.js';

export type Special = (args: Code[]) => Code;

/** Thrown by `halt`/`halt_error`: ends the whole evaluation, past any `try`. */
export class HaltSignal {
  constructor(
    readonly value: Value,
    readonly isError: boolean,
  ) {}
}

/** Runs `fn` over each output of a value-mode argument (cartesian products of parameters). */
function eachValue(code: Code, input: Value, env: Env | null, k: (v: Value) => void): void {
  const s = code.single;
  if (s !== null) k(s(input, env));
  else code.run(input, undefined, env, (v) => k(v));
}

function countArg(v: Value, what: string): number {
  if (typeof v !== 'number') fail(`Invalid ${what}: not a number`);
  return v;
}

/** Runs `f` and stops it after the outputs `take` accepts (it returns false to stop). */
function runUntil(f: Fn, input: Value, path: PathT, env: Env | null, take: (v: Value, p: PathT) => boolean): void {
  const token = {};
  try {
    f(input, path, env, (v, p) => {
      if (!take(v, p)) throw token;
    });
  } catch (e) {
    if (e !== token) throw e;
  }
}

type Pending = { v: Value; p: PathT } | { err: unknown };

/** Outputs of `f` gathered eagerly, with a failure kept in order after the outputs before it. */
function gather(f: Fn, input: Value, path: PathT, env: Env | null): Pending[] {
  const out: Pending[] = [];
  try {
    f(input, path, env, (v, p) => {
      out.push({ v, p });
    });
  } catch (err) {
    out.push({ err });
  }
  return out;
}

/** Depth-first, pre-order: emit a value, then recurse into each output of `f` on it. */
function recurseWith(children: (v: Value, p: PathT, env: Env | null) => Pending[]): Fn {
  return (input, path, env, emit) => {
    const stack: Pending[] = [{ v: input, p: path }];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if ('err' in item) throw item.err;
      step();
      emit(item.v, item.p);
      const kids = children(item.v, item.p, env);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  };
}

function childrenOf(v: Value, p: PathT): Pending[] {
  const at = (k: Value): PathT => (p === undefined || p instanceof InvalidPath ? p : [...p, k]);
  if (Array.isArray(v)) return v.map((x, i) => ({ v: x, p: at(i) }));
  if (isObject(v)) {
    const out: Pending[] = [];
    for (const k in v) out.push({ v: v[k]!, p: at(k) });
    return out;
  }
  return [];
}

export const SPECIALS: Record<string, Special> = {
  'empty/0': () => ({ single: null, run: () => {} }),

  'error/0': () => ({
    single: null,
    run: (input) => {
      throw new JqRuntimeError(input);
    },
  }),

  'error/1': ([msg]) => ({
    single: null,
    run: (input, _path, env) =>
      eachValue(msg!, input, env, (m) => {
        throw new JqRuntimeError(m);
      }),
  }),

  'path/1': ([f]) => ({
    single: null,
    run: (input, path, env, emit) =>
      f!.run(input, [], env, (_v, p) => {
        if (p instanceof InvalidPath) fail(`Invalid path expression with result ${errorPreview(p.value)}`);
        const arr = p as Value[];
        emit(arr, noPath(path, arr));
      }),
  }),

  'paths/0': () => ({
    single: null,
    run: (input, path, env, emit) => {
      const walk = recurseWith((v, p) => childrenOf(v, p));
      walk(input, [], env, (_v, p) => {
        const arr = p as Value[];
        if (arr.length > 0) emit(arr, noPath(path, arr));
      });
    },
  }),

  'getpath/1': ([p]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(p!, input, env, (keys) => {
        const v = ops.getpath(input, keys);
        if (path === undefined) emit(v, undefined);
        else if (path instanceof InvalidPath) emit(v, path);
        else emit(v, [...path, ...(keys as Value[])]);
      }),
  }),

  'select/1': ([f]) => {
    const fs = f!.single;
    return {
      single: null,
      run: (input, path, env, emit) => {
        if (fs !== null) {
          if (isTruthy(fs(input, env))) emit(input, path);
          return;
        }
        f!.run(input, undefined, env, (c) => {
          if (isTruthy(c)) emit(input, path);
        });
      },
    };
  },

  // `def map(f): [.[] | f];`, compiled inline: it is in almost every program.
  'map/1': ([f]) => {
    const fs = f!.single;
    const fr = f!.run;
    return fromSingle((input, env) => {
      let items: Value[];
      if (Array.isArray(input)) items = input;
      else if (isObject(input)) items = Object.values(input);
      else return ops.iterateFail(input);
      const out: Value[] = [];
      const push = (v: Value): void => {
        out.push(v);
      };
      for (let i = 0; i < items.length; i++) {
        step();
        if (fs !== null) out.push(fs(items[i]!, env));
        else fr(items[i]!, undefined, env, push);
      }
      return out;
    });
  },

  'recurse/0': () => ({ single: null, run: recurseWith((v, p) => childrenOf(v, p)) }),

  'recurse/1': ([f]) => ({ single: null, run: recurseWith((v, p, env) => gather(f!.run, v, p, env)) }),

  'limit/2': ([n, f]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(n!, input, env, (nv) => {
        const count = countArg(nv, 'limit');
        if (count < 0) fail("limit doesn't support negative count");
        if (count === 0) return;
        let seen = 0;
        runUntil(f!.run, input, path, env, (v, p) => {
          emit(v, p);
          return ++seen < count;
        });
      }),
  }),

  'skip/2': ([n, f]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(n!, input, env, (nv) => {
        const count = countArg(nv, 'skip');
        if (count < 0) fail("skip doesn't support negative count");
        let seen = 0;
        f!.run(input, path, env, (v, p) => {
          if (seen++ >= count) emit(v, p);
        });
      }),
  }),

  'nth/2': ([n, f]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(n!, input, env, (nv) => {
        const idx = countArg(nv, 'nth');
        if (idx < 0) fail("nth doesn't support negative indices");
        let seen = 0;
        runUntil(f!.run, input, path, env, (v, p) => {
          if (seen++ < idx) return true;
          emit(v, p);
          return false;
        });
      }),
  }),

  'first/1': ([f]) => ({
    single: null,
    run: (input, path, env, emit) => {
      let got: { v: Value; p: PathT } | null = null;
      runUntil(f!.run, input, path, env, (v, p) => {
        got = { v, p };
        return false;
      });
      if (got !== null) emit((got as { v: Value }).v, (got as { p: PathT }).p);
    },
  }),

  'last/1': ([f]) => ({
    single: null,
    run: (input, path, env, emit) => {
      let got = false;
      let lv: Value = null;
      let lp: PathT;
      f!.run(input, path, env, (v, p) => {
        got = true;
        lv = v;
        lp = p;
      });
      if (got) emit(lv, lp);
    },
  }),

  'isempty/1': ([f]) =>
    fromSingle((input, env) => {
      let empty = true;
      runUntil(f!.run, input, undefined, env, () => {
        empty = false;
        return false;
      });
      return empty;
    }),

  'range/1': ([upto]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(upto!, input, env, (u) => {
        if (typeof u !== 'number') fail('Range bounds must be numeric');
        for (let i = 0; i < u; i++) {
          step();
          emit(i, noPath(path, i));
        }
      }),
  }),

  'range/2': ([from, upto]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(from!, input, env, (f) =>
        eachValue(upto!, input, env, (u) => {
          if (typeof f !== 'number' || typeof u !== 'number') fail('Range bounds must be numeric');
          for (let i = f; i < u; i++) {
            step();
            emit(i, noPath(path, i));
          }
        }),
      ),
  }),

  'range/3': ([from, upto, by]) => ({
    single: null,
    run: (input, path, env, emit) =>
      eachValue(from!, input, env, (f) =>
        eachValue(upto!, input, env, (u) =>
          eachValue(by!, input, env, (b) => {
            if (typeof f !== 'number' || typeof u !== 'number' || typeof b !== 'number') {
              fail('Range bounds must be numeric');
            }
            if (b > 0) {
              for (let i = f; i < u; i += b) {
                step();
                emit(i, noPath(path, i));
              }
            } else if (b < 0) {
              for (let i = f; i > u; i += b) {
                step();
                emit(i, noPath(path, i));
              }
            } else if (f < u) {
              for (;;) {
                step();
                emit(f, noPath(path, f));
              }
            }
          }),
        ),
      ),
  }),

  // jq 1.8: `def repeat(f): def _repeat: f, _repeat; _repeat;` (the input never changes).
  'repeat/1': ([f]) => ({
    single: null,
    run: (input, path, env, emit) => {
      for (;;) {
        step();
        f!.run(input, path, env, emit);
      }
    },
  }),

  'while/2': ([cond, update]) => ({
    single: null,
    run: loopWith(cond!, update!, true),
  }),

  'until/2': ([cond, update]) => ({
    single: null,
    run: loopWith(cond!, update!, false),
  }),

  'input/0': () => ({
    single: null,
    run: (_input, path, _env, emit) => {
      const hook = currentContext().hooks.input;
      const v = hook ? hook() : undefined;
      if (v === undefined) fail('No more inputs');
      emit(v, noPath(path, v));
    },
  }),

  'debug/0': () => ({
    single: null,
    run: (input, path, _env, emit) => {
      currentContext().hooks.debug?.(['DEBUG:', input]);
      emit(input, path);
    },
  }),

  'stderr/0': () => ({
    single: null,
    run: (input, path, _env, emit) => {
      currentContext().hooks.stderr?.(input);
      emit(input, path);
    },
  }),

  'env/0': () => fromSingle(() => currentContext().env),

  'halt/0': () => ({
    single: null,
    run: () => {
      throw new HaltSignal(null, false);
    },
  }),

  'halt_error/0': () => ({
    single: null,
    run: (input) => {
      throw new HaltSignal(input, true);
    },
  }),

  'halt_error/1': () => ({
    single: null,
    run: (input) => {
      throw new HaltSignal(input, true);
    },
  }),

  'del/1': ([f]) =>
    fromSingle((input, env) => ops.delpaths(input, collectPaths(f!, input, env) as Value[])),

  'pick/1': ([f]) =>
    fromSingle((input, env) => {
      let out: Value = null;
      for (const p of collectPaths(f!, input, env)) out = ops.setpath(out, p as Value[], ops.getpath(input, p as Value[]));
      return out;
    }),
};

/**
 * `while(cond; update)` emits each value while `cond` holds; `until(cond; update)` emits the
 * first value for which it holds. Both follow every output of `cond` and `update` depth-first,
 * as jq's recursive definitions do, with an explicit stack instead of recursion.
 */
type LoopItem = { k: 'proc'; v: Value; p: PathT } | { k: 'emit'; v: Value; p: PathT } | { k: 'err'; err: unknown };

function loopWith(cond: Code, update: Code, isWhile: boolean): Fn {
  return (input, path, env, emit) => {
    const stack: LoopItem[] = [{ k: 'proc', v: input, p: path }];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (item.k === 'err') throw item.err;
      step();
      if (item.k === 'emit') {
        emit(item.v, item.p);
        continue;
      }
      const { v: x, p: xp } = item;
      const next: LoopItem[] = [];
      for (const c of gather(cond.run, x, undefined, env)) {
        if ('err' in c) {
          next.push({ k: 'err', err: c.err });
          break;
        }
        const holds = isTruthy(c.v);
        if (holds && isWhile) next.push({ k: 'emit', v: x, p: xp });
        if (holds !== isWhile) {
          if (!isWhile) next.push({ k: 'emit', v: x, p: xp });
          continue;
        }
        for (const u of gather(update.run, x, xp, env)) {
          next.push('err' in u ? { k: 'err', err: u.err } : { k: 'proc', v: u.v, p: u.p });
        }
      }
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
    }
  };
}
