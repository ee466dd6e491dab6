import type { AssignOp, BinaryOp, FuncDef, Node, Pattern } from './ast.js';
import { lookupBuiltin, type GlobalFunction } from './builtins/index.js';
import { applyFormat } from './builtins/formats.js';
import { JqRuntimeError, fail } from './errors.js';
import {
  BreakSignal,
  checkIterablePath,
  collect,
  Env,
  envAt,
  extendPath,
  fromSingle,
  InvalidPath,
  noPath,
  type Closure,
  type Code,
  type Emit,
  type Fn,
  type PathT,
  type Single,
} from './exec.js';
import { compileError } from './lexer.js';
import * as ops from './ops.js';
import { currentContext, enterCall, guardSize, leaveCall, step } from './runtime.js';
import { compare, equals, hasOwn, isObject, isTruthy, setKey, toJson, type JsonObject, type Value } from './values.js';
import { compilePatterns } from './patterns.js';
import { compileAssign } from './assign.js';

/** A user or builtin function definition, compiled once; `run` is set after its body compiles (recursion). */
export interface FuncRef {
  name: string;
  arity: number;
  run: Fn | null;
}

type ScopeEntry =
  | { t: 'var'; name: string }
  | { t: 'params'; names: readonly string[] }
  | { t: 'def'; name: string; arity: number; ref: FuncRef };

export interface Scope {
  up: Scope | null;
  e: ScopeEntry;
}

export function pushVar(scope: Scope | null, name: string): Scope {
  return { up: scope, e: { t: 'var', name } };
}

const BINARY_FNS: Record<BinaryOp, (a: Value, b: Value) => Value> = {
  '+': (a, b) => guardSize(ops.add(a, b)),
  '-': ops.subtract,
  '*': (a, b) => guardSize(ops.multiply(a, b)),
  '/': ops.divide,
  '%': ops.modulo,
  // Numbers that are not nan compare natively; everything else by jq's total order.
  '==': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a === b : equals(a, b)),
  '!=': (a, b) => (typeof a === 'number' && typeof b === 'number' ? a !== b : !equals(a, b)),
  '<': (a, b) => (typeof a === 'number' && typeof b === 'number' && a === a && b === b ? a < b : compare(a, b) < 0),
  '<=': (a, b) => (typeof a === 'number' && typeof b === 'number' && a === a && b === b ? a <= b : compare(a, b) <= 0),
  '>': (a, b) => (typeof a === 'number' && typeof b === 'number' && a === a && b === b ? a > b : compare(a, b) > 0),
  '>=': (a, b) => (typeof a === 'number' && typeof b === 'number' && a === a && b === b ? a >= b : compare(a, b) >= 0),
};

export class Compiler {
  constructor(private readonly src: string) {}

  error(at: number, message: string): Error {
    return compileError(this.src, at, message);
  }

  private checkFormat(name: string): void {
    try {
      applyFormat(name, '');
    } catch (e) {
      if (e instanceof JqRuntimeError && e.message.endsWith('is not a valid format')) throw this.error(0, e.message);
    }
  }

  compile(node: Node, scope: Scope | null): Code {
    switch (node.kind) {
      case 'identity':
        return { single: (input) => input, run: (input, path, _env, emit) => emit(input, path) };
      case 'recurseAll':
        return this.compileCall({ kind: 'call', name: 'recurse', args: [], at: 0 }, scope);
      case 'literal': {
        const value = node.value;
        return fromSingle(() => value);
      }
      case 'string':
        return this.compileString(node.parts, node.format, scope);
      case 'format': {
        const name = node.name;
        this.checkFormat(name);
        return fromSingle((input) => guardSize(applyFormat(name, input)));
      }
      case 'index':
        return this.compileIndex(node.target, node.index, scope);
      case 'slice':
        return this.compileSlice(node.target, node.from, node.to, scope);
      case 'iterate':
        return this.compileIterate(this.compile(node.target, scope));
      case 'try':
        return compileTry(this.compile(node.body, scope), node.handler ? this.compile(node.handler, scope) : null);
      case 'pipe':
        return compilePipe(this.compile(node.left, scope), this.compile(node.right, scope));
      case 'comma': {
        const l = this.compile(node.left, scope).run;
        const r = this.compile(node.right, scope).run;
        return {
          single: null,
          run: (input, path, env, emit) => {
            l(input, path, env, emit);
            r(input, path, env, emit);
          },
        };
      }
      case 'neg':
        return mapValue(this.compile(node.body, scope), ops.negate);
      case 'binary':
        return compileBinary(BINARY_FNS[node.op], this.compile(node.left, scope), this.compile(node.right, scope));
      case 'and':
      case 'or':
        return compileLogic(node.kind, this.compile(node.left, scope), this.compile(node.right, scope));
      case 'alt':
        return compileAlt(this.compile(node.left, scope), this.compile(node.right, scope));
      case 'assign':
        return compileAssign(node.op as AssignOp, this.compile(node.left, scope), this.compile(node.right, scope));
      case 'if':
        return compileIf(
          this.compile(node.cond, scope),
          this.compile(node.then, scope),
          node.else ? this.compile(node.else, scope) : null,
        );
      case 'reduce':
        return this.compileReduce(node, scope);
      case 'foreach':
        return this.compileForeach(node, scope);
      case 'funcdef': {
        const inner = this.defineFunction(node.def, scope);
        return this.compile(node.body, inner);
      }
      case 'call':
        return this.compileCall(node, scope);
      case 'var':
        return this.compileVar(node.name, node.at, scope);
      case 'loc': {
        const line = node.line;
        return fromSingle(() => ({ file: '<top-level>', line }));
      }
      case 'bind':
        return this.compileBind(node.source, node.patterns, node.body, scope);
      case 'label':
        return this.compileLabel(node.name, node.body, scope);
      case 'break': {
        const hops = lookupVar(scope, `*label-${node.name}`);
        if (hops < 0) throw this.error(node.at, `$*label-${node.name} is not defined`);
        return {
          single: null,
          run: (_input, _path, env) => {
            throw new BreakSignal(envAt(env, hops)!.value as object);
          },
        };
      }
      case 'array':
        return this.compileArray(node.body, scope);
      case 'object':
        return this.compileObject(node, scope);
    }
  }

  /** Adds a definition to the scope and compiles its body (recursion resolves through `ref`). */
  defineFunction(def: FuncDef, scope: Scope | null): Scope {
    const ref: FuncRef = { name: def.name, arity: def.params.length, run: null };
    const withSelf: Scope = { up: scope, e: { t: 'def', name: def.name, arity: def.params.length, ref } };
    ref.run = this.compileFunctionBody(def, withSelf);
    return withSelf;
  }

  compileFunctionBody(def: FuncDef, scope: Scope | null): Fn {
    let inner: Scope | null = scope;
    if (def.params.length > 0) inner = { up: scope, e: { t: 'params', names: def.params.map((p) => p.name) } };
    // `def f($a): body` is `def f(a): a as $a | body`, the first parameter outermost.
    let body: Node = def.body;
    for (let i = def.params.length - 1; i >= 0; i--) {
      const p = def.params[i]!;
      if (p.isVar) {
        body = {
          kind: 'bind',
          source: { kind: 'call', name: p.name, args: [], at: def.at },
          patterns: [{ kind: 'var', name: p.name, at: def.at }],
          body,
        };
      }
    }
    return this.compile(body, inner).run;
  }

  private compileVar(name: string, at: number, scope: Scope | null): Code {
    if (name === 'ENV') {
      const hops = lookupVar(scope, name);
      if (hops < 0) return fromSingle(() => currentContext().env as JsonObject);
    }
    if (name === '__prog_args') throw this.error(at, '$__prog_args is not available in this jq');
    const hops = lookupVar(scope, name);
    if (hops < 0) throw this.error(at, `$${name} is not defined`);
    switch (hops) {
      case 0:
        return fromSingle((_i, env) => env!.value as Value);
      case 1:
        return fromSingle((_i, env) => env!.up!.value as Value);
      case 2:
        return fromSingle((_i, env) => env!.up!.up!.value as Value);
      default:
        return fromSingle((_i, env) => envAt(env, hops)!.value as Value);
    }
  }

  compileCall(node: Extract<Node, { kind: 'call' }>, scope: Scope | null): Code {
    const { name, args, at } = node;
    const arity = args.length;
    let hops = 0;
    for (let s = scope; s !== null; s = s.up) {
      const e = s.e;
      if (e.t === 'def') {
        if (e.name === name && e.arity === arity) return this.callDefined(e.ref, hops, args, scope);
      } else if (e.t === 'params') {
        const i = e.names.indexOf(name);
        if (i >= 0 && arity === 0) return callClosure(hops, i);
        hops++;
      } else {
        hops++;
      }
    }
    const g = lookupBuiltin(name, arity);
    if (g === null) throw this.error(at, `${name}/${arity} is not defined`);
    return this.callGlobal(g, args, scope);
  }

  private callGlobal(g: GlobalFunction, args: Node[], scope: Scope | null): Code {
    const compiled = args.map((a) => this.compile(a, scope));
    switch (g.kind) {
      case 'special':
        return g.make(compiled);
      case 'native':
        return callNative(g.fn, compiled);
      case 'defined':
        return invoke(g.ref, 0, compiled);
    }
  }

  private callDefined(ref: FuncRef, hops: number, args: Node[], scope: Scope | null): Code {
    return invoke(
      ref,
      hops,
      args.map((a) => this.compile(a, scope)),
    );
  }

  private compileString(parts: (string | Node)[], format: string | null, scope: Scope | null): Code {
    const fmt = format ?? 'text';
    this.checkFormat(fmt);
    const compiled = parts.map((p) => (typeof p === 'string' ? p : this.compile(p, scope)));
    const render = (v: Value): string => (fmt === 'text' ? (typeof v === 'string' ? v : toJson(v)) : applyFormat(fmt, v));
    if (compiled.every((p) => typeof p === 'string' || p.single !== null)) {
      const singles = compiled.map((p) => (typeof p === 'string' ? p : p.single!));
      return fromSingle((input, env) => {
        let out = '';
        for (const s of singles) out += typeof s === 'string' ? s : render(s(input, env));
        return guardSize(out);
      });
    }
    // The last interpolation varies slowest, as in jq (string building is a chain of `+`).
    const n = compiled.length;
    return {
      single: null,
      run: (input, path, env, emit) => {
        const pieces: string[] = new Array<string>(n);
        const loop = (i: number): void => {
          if (i < 0) {
            const s = guardSize(pieces.join(''));
            emit(s, noPath(path, s));
            return;
          }
          const p = compiled[i]!;
          if (typeof p === 'string') {
            pieces[i] = p;
            loop(i - 1);
          } else {
            p.run(input, undefined, env, (v) => {
              pieces[i] = render(v);
              loop(i - 1);
            });
          }
        };
        loop(n - 1);
      },
    };
  }

  private compileIndex(targetNode: Node, indexNode: Node, scope: Scope | null): Code {
    const target = this.compile(targetNode, scope);
    if (indexNode.kind === 'literal' && typeof indexNode.value === 'string') {
      const key = indexNode.value;
      const safe = !(key in Object.prototype);
      const get = (t: Value): Value => {
        if (isObject(t)) {
          if (safe) {
            const v = t[key];
            return v === undefined ? null : v;
          }
          return hasOwn(t, key) ? t[key]! : null;
        }
        return ops.index(t, key);
      };
      const ts = target.single;
      const tr = target.run;
      return {
        single: ts ? (input, env) => get(ts(input, env)) : null,
        run: (input, path, env, emit) => {
          if (path === undefined && ts !== null) {
            emit(get(ts(input, env)), undefined);
            return;
          }
          tr(input, path, env, (t, tp) => {
            const p = extendPath(tp, key, t);
            emit(get(t), p);
          });
        },
      };
    }
    const index = this.compile(indexNode, scope);
    const ts = target.single;
    const is = index.single;
    return {
      single: ts && is ? (input, env) => ops.index(ts(input, env), is(input, env)) : null,
      run: (input, path, env, emit) => {
        index.run(input, undefined, env, (k) => {
          target.run(input, path, env, (t, tp) => {
            const p = extendPath(tp, k, t);
            emit(ops.index(t, k), p);
          });
        });
      },
    };
  }

  private compileSlice(targetNode: Node, fromNode: Node | null, toNode: Node | null, scope: Scope | null): Code {
    const target = this.compile(targetNode, scope);
    const from = fromNode ? this.compile(fromNode, scope) : null;
    const to = toNode ? this.compile(toNode, scope) : null;
    const each = (code: Code | null, input: Value, env: Env | null, k: (v: Value) => void): void => {
      if (code === null) k(null);
      else code.run(input, undefined, env, (v) => k(v));
    };
    return {
      single: null,
      run: (input, path, env, emit) => {
        each(to, input, env, (t) => {
          each(from, input, env, (f) => {
            target.run(input, path, env, (v, vp) => {
              const key: JsonObject = { start: f, end: t };
              const p = extendPath(vp, key, v);
              emit(ops.slice(v, f, t), p);
            });
          });
        });
      },
    };
  }

  private compileIterate(target: Code): Code {
    const ts = target.single;
    const each = (t: Value, tp: PathT, emit: Emit): void => {
      if (Array.isArray(t)) {
        if (tp === undefined) {
          for (let i = 0; i < t.length; i++) {
            step();
            emit(t[i]!, undefined);
          }
        } else {
          checkIterablePath(tp, t);
          for (let i = 0; i < t.length; i++) {
            step();
            emit(t[i]!, [...(tp as Value[]), i]);
          }
        }
      } else if (isObject(t)) {
        if (tp !== undefined) checkIterablePath(tp, t);
        for (const k in t) {
          step();
          emit(t[k]!, tp === undefined ? undefined : [...(tp as Value[]), k]);
        }
      } else {
        ops.iterateFail(t);
      }
    };
    return {
      single: null,
      run: (input, path, env, emit) => {
        if (path === undefined && ts !== null) each(ts(input, env), undefined, emit);
        else target.run(input, path, env, (t, tp) => each(t, tp, emit));
      },
    };
  }

  private compileReduce(node: Extract<Node, { kind: 'reduce' }>, scope: Scope | null): Code {
    const source = this.compile(node.source, scope);
    const init = this.compile(node.init, scope);
    const pat = compilePatterns(this, [node.pattern], scope);
    const update = this.compile(node.update, pat.scope).run;
    return {
      single: null,
      run: (input, path, env, emit) => {
        init.run(input, undefined, env, (start) => {
          let acc: Value | undefined = start;
          source.run(input, undefined, env, (v) => {
            step();
            pat.bind(v, env, (inner) => {
              let last: Value | undefined;
              update(acc === undefined ? null : acc, undefined, inner, (u) => {
                last = u;
              });
              acc = last;
            });
          });
          if (acc !== undefined) emit(acc, noPath(path, acc));
        });
      },
    };
  }

  private compileForeach(node: Extract<Node, { kind: 'foreach' }>, scope: Scope | null): Code {
    const source = this.compile(node.source, scope);
    const init = this.compile(node.init, scope);
    const pat = compilePatterns(this, [node.pattern], scope);
    const update = this.compile(node.update, pat.scope).run;
    const extract = node.extract ? this.compile(node.extract, pat.scope).run : null;
    return {
      single: null,
      run: (input, path, env, emit) => {
        init.run(input, undefined, env, (start) => {
          let acc: Value = start;
          source.run(input, undefined, env, (v) => {
            step();
            pat.bind(v, env, (inner) => {
              update(acc, undefined, inner, (u) => {
                acc = u;
                if (extract === null) emit(u, noPath(path, u));
                else extract(u, path === undefined ? undefined : new InvalidPath(u), inner, emit);
              });
            });
          });
        });
      },
    };
  }

  private compileBind(sourceNode: Node, patterns: Pattern[], bodyNode: Node, scope: Scope | null): Code {
    const source = this.compile(sourceNode, scope);
    const pat = compilePatterns(this, patterns, scope);
    const body = this.compile(bodyNode, pat.scope).run;
    const ss = source.single;
    if (patterns.length === 1 && patterns[0]!.kind === 'var') {
      return {
        single: null,
        run: (input, path, env, emit) => {
          if (ss !== null) body(input, path, new Env(env, ss(input, env), null), emit);
          else source.run(input, undefined, env, (v) => body(input, path, new Env(env, v, null), emit));
        },
      };
    }
    return {
      single: null,
      run: (input, path, env, emit) => {
        source.run(input, undefined, env, (v) =>
          pat.bindAlternatives(v, env, (inner, em) => body(input, path, inner, em), emit),
        );
      },
    };
  }

  private compileLabel(name: string, bodyNode: Node, scope: Scope | null): Code {
    const body = this.compile(bodyNode, pushVar(scope, `*label-${name}`)).run;
    return {
      single: null,
      run: (input, path, env, emit) => {
        const token = {};
        try {
          body(input, path, new Env(env, token, null), emit);
        } catch (e) {
          if (e instanceof BreakSignal && e.token === token) return;
          throw e;
        }
      },
    };
  }

  private compileArray(bodyNode: Node | null, scope: Scope | null): Code {
    if (bodyNode === null) return fromSingle(() => []);
    const body = this.compile(bodyNode, scope).run;
    return fromSingle((input, env) => collect(body, input, env));
  }

  private compileObject(node: Extract<Node, { kind: 'object' }>, scope: Scope | null): Code {
    const entries = node.entries.map((e) => ({ key: this.compile(e.key, scope), value: this.compile(e.value, scope) }));
    const constKeys = node.entries.map((e) => (e.key.kind === 'literal' && typeof e.key.value === 'string' ? e.key.value : null));
    if (entries.every((e, i) => constKeys[i] !== null && e.value.single !== null)) {
      const keys = constKeys as string[];
      const values = entries.map((e) => e.value.single!);
      const n = keys.length;
      const plain = keys.every((k) => k !== '__proto__');
      return fromSingle((input, env) => {
        const o: JsonObject = {};
        for (let i = 0; i < n; i++) {
          if (plain) o[keys[i]!] = values[i]!(input, env);
          else setKey(o, keys[i]!, values[i]!(input, env));
        }
        return o;
      });
    }
    const n = entries.length;
    return {
      single: null,
      run: (input, path, env, emit) => {
        const keys: string[] = new Array<string>(n);
        const vals: Value[] = new Array<Value>(n);
        const loop = (i: number): void => {
          if (i === n) {
            const o: JsonObject = {};
            for (let j = 0; j < n; j++) setKey(o, keys[j]!, vals[j]!);
            emit(o, noPath(path, o));
            return;
          }
          const e = entries[i]!;
          e.key.run(input, undefined, env, (k) => {
            if (typeof k !== 'string') {
              if (isObject(k) || Array.isArray(k) || k === null || typeof k !== 'string') {
                fail(`Object keys must be strings`);
              }
            }
            e.value.run(input, undefined, env, (v) => {
              keys[i] = k as string;
              vals[i] = v;
              loop(i + 1);
            });
          });
        };
        loop(0);
      },
    };
  }
}

export function lookupVar(scope: Scope | null, name: string): number {
  let hops = 0;
  for (let s = scope; s !== null; s = s.up) {
    const e = s.e;
    if (e.t === 'var') {
      if (e.name === name) return hops;
      hops++;
    } else if (e.t === 'params') {
      hops++;
    }
  }
  return -1;
}

function callClosure(hops: number, index: number): Code {
  return {
    single: null,
    run: (input, path, env, emit) => {
      const c = envAt(env, hops)!.closures![index]!;
      c.fn(input, path, c.env, emit);
    },
  };
}

/** Calls a jq-defined function: a frame of closures for its arguments, on top of its definition's environment. */
export function invoke(ref: FuncRef, hops: number, args: Code[]): Code {
  const fns = args.map((a) => a.run);
  if (fns.length === 0) {
    return {
      single: null,
      run: (input, path, env, emit) => {
        enterCall();
        try {
          ref.run!(input, path, envAt(env, hops), emit);
        } finally {
          leaveCall();
        }
      },
    };
  }
  return {
    single: null,
    run: (input, path, env, emit) => {
      const closures: Closure[] = fns.map((fn) => ({ fn, env }));
      enterCall();
      try {
        ref.run!(input, path, new Env(envAt(env, hops), undefined, closures), emit);
      } finally {
        leaveCall();
      }
    },
  };
}

/** A native over argument values: one call per combination, the last argument varying slowest. */
export function callNative(native: (input: Value, ...args: Value[]) => Value, args: Code[]): Code {
  const fn = (input: Value, ...vals: Value[]): Value => guardSize(native(input, ...vals));
  const n = args.length;
  if (args.every((a) => a.single !== null)) {
    const s = args.map((a) => a.single!);
    switch (n) {
      case 0:
        return fromSingle((input) => fn(input));
      case 1: {
        const a0 = s[0]!;
        return fromSingle((input, env) => fn(input, a0(input, env)));
      }
      case 2: {
        const a0 = s[0]!;
        const a1 = s[1]!;
        return fromSingle((input, env) => {
          const y = a1(input, env);
          return fn(input, a0(input, env), y);
        });
      }
      default:
        return fromSingle((input, env) => {
          const vals: Value[] = new Array<Value>(n);
          for (let i = n - 1; i >= 0; i--) vals[i] = s[i]!(input, env);
          return fn(input, ...vals);
        });
    }
  }
  return {
    single: null,
    run: (input, path, env, emit) => {
      const vals: Value[] = new Array<Value>(n);
      const loop = (i: number): void => {
        if (i < 0) {
          const r = fn(input, ...vals);
          emit(r, noPath(path, r));
          return;
        }
        args[i]!.run(input, undefined, env, (v) => {
          vals[i] = v;
          loop(i - 1);
        });
      };
      loop(n - 1);
    },
  };
}

function compilePipe(left: Code, right: Code): Code {
  const ls = left.single;
  const rs = right.single;
  const lr = left.run;
  const rr = right.run;
  return {
    single: ls && rs ? (input, env) => rs(ls(input, env), env) : null,
    run: (input, path, env, emit) => {
      if (path === undefined && ls !== null) {
        rr(ls(input, env), undefined, env, emit);
        return;
      }
      lr(input, path, env, (v, p) => rr(v, p, env, emit));
    },
  };
}

function mapValue(body: Code, f: (v: Value) => Value): Code {
  const bs = body.single;
  return {
    single: bs ? (input, env) => f(bs(input, env)) : null,
    run: (input, path, env, emit) =>
      body.run(input, undefined, env, (v) => {
        const r = f(v);
        emit(r, noPath(path, r));
      }),
  };
}

function compileBinary(f: (a: Value, b: Value) => Value, left: Code, right: Code): Code {
  const ls = left.single;
  const rs = right.single;
  if (ls && rs) {
    return fromSingle((input, env) => {
      const b = rs(input, env);
      return f(ls(input, env), b);
    });
  }
  // The right operand varies slowest, as in jq.
  return {
    single: null,
    run: (input, path, env, emit) =>
      right.run(input, undefined, env, (b) =>
        left.run(input, undefined, env, (a) => {
          const r = f(a, b);
          emit(r, noPath(path, r));
        }),
      ),
  };
}

function compileLogic(kind: 'and' | 'or', left: Code, right: Code): Code {
  const ls = left.single;
  const rs = right.single;
  const isAnd = kind === 'and';
  if (ls && rs) {
    return fromSingle((input, env) => {
      const a = isTruthy(ls(input, env));
      if (isAnd ? !a : a) return a;
      return isTruthy(rs(input, env));
    });
  }
  return {
    single: null,
    run: (input, path, env, emit) =>
      left.run(input, undefined, env, (a) => {
        const ta = isTruthy(a);
        if (isAnd ? !ta : ta) {
          emit(ta, noPath(path, ta));
          return;
        }
        right.run(input, undefined, env, (b) => {
          const tb = isTruthy(b);
          emit(tb, noPath(path, tb));
        });
      }),
  };
}

function compileAlt(left: Code, right: Code): Code {
  const ls = left.single;
  const rs = right.single;
  return {
    single:
      ls && rs
        ? (input, env) => {
            let v: Value = null;
            try {
              v = ls(input, env);
            } catch (e) {
              if (!(e instanceof JqRuntimeError)) throw e;
            }
            return isTruthy(v) ? v : rs(input, env);
          }
        : null,
    run: (input, path, env, emit) => {
      let any = false;
      let downstream = false;
      try {
        left.run(input, path, env, (v, p) => {
          if (!isTruthy(v)) return;
          any = true;
          try {
            emit(v, p);
          } catch (e) {
            downstream = true;
            throw e;
          }
        });
      } catch (e) {
        if (downstream || !(e instanceof JqRuntimeError)) throw e;
      }
      if (!any) right.run(input, path, env, emit);
    },
  };
}

function compileTry(body: Code, handler: Code | null): Code {
  return {
    single: null,
    run: (input, path, env, emit) => {
      let downstream = false;
      try {
        body.run(input, path, env, (v, p) => {
          try {
            emit(v, p);
          } catch (e) {
            downstream = true;
            throw e;
          }
        });
      } catch (e) {
        if (downstream || !(e instanceof JqRuntimeError)) throw e;
        if (handler !== null) {
          const ev = e.value;
          handler.run(ev, noPath(path, ev), env, emit);
        }
      }
    },
  };
}

function compileIf(cond: Code, then: Code, otherwise: Code | null): Code {
  const cs = cond.single;
  const ts = then.single;
  const es = otherwise === null ? (input: Value) => input : otherwise.single;
  const elseRun: Fn = otherwise === null ? (input, path, _env, emit) => emit(input, path) : otherwise.run;
  return {
    single:
      cs && ts && es ? (input, env) => (isTruthy(cs(input, env)) ? ts(input, env) : es(input, env)) : null,
    run: (input, path, env, emit) => {
      if (cs !== null) {
        if (isTruthy(cs(input, env))) then.run(input, path, env, emit);
        else elseRun(input, path, env, emit);
        return;
      }
      cond.run(input, undefined, env, (c) => {
        if (isTruthy(c)) then.run(input, path, env, emit);
        else elseRun(input, path, env, emit);
      });
    },
  };
}

export type { Single };
