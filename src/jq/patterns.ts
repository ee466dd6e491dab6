import type { Pattern } from './ast.js';
import type { Compiler, Scope } from './compiler.js';
import { pushVar } from './compiler.js';
import { JqRuntimeError, fail } from './errors.js';
import { Env, type Emit, type Fn } from './exec.js';
import * as ops from './ops.js';
import { typeOf, type Value } from './values.js';

type Destructure = (v: Value, env: Env | null, vals: Value[], k: () => void) => void;

export interface CompiledPatterns {
  /** The scope with every variable of every alternative bound. */
  scope: Scope | null;
  /** Binds the first pattern; `k` runs once per way of destructuring. */
  bind(v: Value, env: Env | null, k: (inner: Env | null) => void): void;
  /** `p1 ?// p2 ...`: an error while binding or in the body moves on to the next alternative. */
  bindAlternatives(v: Value, env: Env | null, body: (inner: Env | null, emit: Emit) => void, emit: Emit): void;
}

function collectNames(p: Pattern, out: string[]): void {
  switch (p.kind) {
    case 'var':
      if (!out.includes(p.name)) out.push(p.name);
      return;
    case 'array':
      for (const e of p.elements) collectNames(e, out);
      return;
    case 'object':
      for (const e of p.entries) {
        if (e.keyVar !== null && !out.includes(e.keyVar)) out.push(e.keyVar);
        if (e.pattern) collectNames(e.pattern, out);
      }
  }
}

export function compilePatterns(c: Compiler, patterns: Pattern[], scope: Scope | null): CompiledPatterns {
  const names: string[] = [];
  for (const p of patterns) collectNames(p, names);
  let inner = scope;
  for (const n of names) inner = pushVar(inner, n);
  const alts = patterns.map((p) => compileOne(c, p, scope, names));
  const n = names.length;
  const frames = (env: Env | null, vals: Value[]): Env | null => {
    let e = env;
    for (let i = 0; i < n; i++) e = new Env(e, vals[i]!, null);
    return e;
  };
  const first = alts[0]!;
  return {
    scope: inner,
    bind(v, env, k) {
      const vals = new Array<Value>(n).fill(null);
      first(v, env, vals, () => k(frames(env, vals)));
    },
    bindAlternatives(v, env, body, emit) {
      for (let i = 0; i < alts.length; i++) {
        const vals = new Array<Value>(n).fill(null);
        if (i === alts.length - 1) {
          alts[i]!(v, env, vals, () => body(frames(env, vals), emit));
          return;
        }
        let downstream = false;
        const guarded: Emit = (x, p) => {
          try {
            emit(x, p);
          } catch (e) {
            downstream = true;
            throw e;
          }
        };
        try {
          alts[i]!(v, env, vals, () => body(frames(env, vals), guarded));
          return;
        } catch (e) {
          if (downstream || !(e instanceof JqRuntimeError)) throw e;
        }
      }
    },
  };
}

function compileOne(c: Compiler, p: Pattern, scope: Scope | null, names: string[]): Destructure {
  switch (p.kind) {
    case 'var': {
      const slot = names.indexOf(p.name);
      return (v, _env, vals, k) => {
        vals[slot] = v;
        k();
      };
    }
    case 'array': {
      const elems = p.elements.map((e) => compileOne(c, e, scope, names));
      return (v, env, vals, k) => {
        if (v !== null && !Array.isArray(v)) fail(`Cannot index ${typeOf(v)} with number`);
        const loop = (i: number): void => {
          if (i === elems.length) {
            k();
            return;
          }
          elems[i]!(ops.index(v, i), env, vals, () => loop(i + 1));
        };
        loop(0);
      };
    }
    case 'object': {
      const entries = p.entries.map((e) => ({
        slot: e.keyVar === null ? -1 : names.indexOf(e.keyVar),
        keyName: e.keyVar,
        key: e.key === null ? null : c.compile(e.key, scope).run,
        sub: e.pattern === null ? null : compileOne(c, e.pattern, scope, names),
      }));
      return (v, env, vals, k) => {
        const loop = (i: number): void => {
          if (i === entries.length) {
            k();
            return;
          }
          const e = entries[i]!;
          const withKey = (key: Value): void => {
            if (typeof key !== 'string') fail(`Cannot index ${typeOf(v)} with ${typeOf(key)}`);
            const child = ops.index(v, key);
            if (e.slot >= 0) vals[e.slot] = child;
            if (e.sub === null) loop(i + 1);
            else e.sub(child, env, vals, () => loop(i + 1));
          };
          if (e.key === null) withKey(e.keyName!);
          else (e.key as Fn)(v, undefined, env, (key) => withKey(key));
        };
        loop(0);
      };
    }
  }
}
