/**
 * The global builtin table, in the order a name is looked up: special forms (compiled inline),
 * natives (over argument values), then definitions written in jq, each compiled on first use
 * and shared by every program.
 */
import type { FuncDef } from '../ast.js';
import { Compiler, type FuncRef } from '../compiler.js';
import type { Code } from '../exec.js';
import { fromSingle } from '../exec.js';
import { parseDefs } from '../parser.js';
import { SPECIALS } from '../specials.js';
import { coreBuiltins } from './core.js';
import { dateBuiltins } from './dates.js';
import { formatBuiltins } from './formats.js';
import { mathBuiltins } from './math.js';
import { regexBuiltins } from './regex.js';
import { stringBuiltins } from './strings.js';
import type { BuiltinModule, NativeFunction } from './types.js';

export type GlobalFunction =
  | { kind: 'special'; make: (args: Code[]) => Code }
  | { kind: 'native'; fn: NativeFunction }
  | { kind: 'defined'; ref: FuncRef };

const MODULES: BuiltinModule[] = [
  coreBuiltins,
  stringBuiltins,
  formatBuiltins,
  mathBuiltins,
  regexBuiltins,
  dateBuiltins,
];

interface Table {
  natives: Map<string, NativeFunction>;
  defs: Map<string, FuncDef>;
  compiled: Map<string, FuncRef>;
  source: string;
}

let table: Table | null = null;

function load(): Table {
  if (table !== null) return table;
  const natives = new Map<string, NativeFunction>();
  const defined = (key: string): boolean => natives.has(key) || key in SPECIALS || key in SPECIAL_EXTRA;
  for (const m of MODULES) {
    for (const [k, fn] of Object.entries(m.natives)) {
      if (defined(k)) throw new Error(`jq builtin ${k} is defined twice`);
      natives.set(k, fn);
    }
  }
  const source = MODULES.map((m) => m.jq).join('\n');
  const defs = new Map<string, FuncDef>();
  for (const d of parseDefs(source)) {
    const key = `${d.name}/${d.params.length}`;
    if (defined(key) || defs.has(key)) throw new Error(`jq builtin ${key} is defined twice`);
    defs.set(key, d);
  }
  table = { natives, defs, compiled: new Map(), source };
  return table;
}

const SPECIAL_EXTRA: Record<string, (args: Code[]) => Code> = {
  'builtins/0': () => {
    const names = builtinNames();
    return fromSingle(() => names.slice());
  },
};

export function lookupBuiltin(name: string, arity: number): GlobalFunction | null {
  const key = `${name}/${arity}`;
  const special = SPECIALS[key] ?? SPECIAL_EXTRA[key];
  if (special !== undefined) return { kind: 'special', make: special };
  const t = load();
  const fn = t.natives.get(key);
  if (fn !== undefined) return { kind: 'native', fn };
  let ref = t.compiled.get(key);
  if (ref === undefined) {
    const def = t.defs.get(key);
    if (def === undefined) return null;
    ref = { name, arity, run: null };
    t.compiled.set(key, ref);
    const c = new Compiler(t.source);
    ref.run = c.compileFunctionBody(def, null);
  }
  return { kind: 'defined', ref };
}

/** Public builtin names as `name/arity` (private `_` names left out), as jq's `builtins` lists them. */
export function builtinNames(): string[] {
  const t = load();
  const all = new Set<string>([...Object.keys(SPECIALS), ...Object.keys(SPECIAL_EXTRA), ...t.natives.keys(), ...t.defs.keys()]);
  return [...all].filter((n) => !n.startsWith('_')).sort();
}
