import { describe, fail } from '../errors.js';
import * as ops from '../ops.js';
import { compare, equals, hasOwn, isObject, sortedKeys, typeOf, type JsonObject, type Value } from '../values.js';
import type { BuiltinModule, NativeTable } from './types.js';

const MAX_CONTAINS_DEPTH = 10_000;

function contains(a: Value, b: Value, depth: number): boolean {
  if (depth > MAX_CONTAINS_DEPTH) fail('Containment check too deep');
  const ta = typeOf(a);
  if (ta !== typeOf(b)) fail(`${describe(a)} and ${describe(b)} cannot have their containment checked`);
  if (isObject(a)) {
    const bo = b as JsonObject;
    for (const k in bo) {
      if (!hasOwn(a, k) || !contains(a[k]!, bo[k]!, depth + 1)) return false;
    }
    return true;
  }
  if (Array.isArray(a)) {
    return (b as Value[]).every((y) => a.some((x) => typeOf(x) === typeOf(y) && contains(x, y, depth + 1)));
  }
  if (typeof a === 'string') return a.includes(b as string);
  return equals(a, b);
}

function keysOf(v: Value): Value[] {
  if (isObject(v)) return sortedKeys(v);
  if (Array.isArray(v)) return v.map((_x, i) => i);
  return fail(`${describe(v)} has no keys`);
}

function valuesOf(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return ops.iterateFail(v);
}

function requireArray(v: Value, what: string): Value[] {
  if (!Array.isArray(v)) fail(`${describe(v)} cannot be ${what}, as it is not an array`);
  return v;
}

/** Sorts `items` by the parallel `keys` (each a `[f]` array), stably. */
function sortByKeys(items: Value[], keys: Value, what: string): { item: Value; key: Value }[] {
  if (!Array.isArray(keys) || keys.length !== items.length) fail(`${describe(items)} cannot be ${what}`);
  return items.map((item, i) => ({ item, key: keys[i]! })).sort((x, y) => compare(x.key, y.key));
}

/** Flattens iteratively: nesting can be as deep as jq allows (10,000 levels). */
function flatten(v: Value, depth: number): Value[] {
  const out: Value[] = [];
  const stack: { items: Value[]; i: number; depth: number }[] = [{ items: valuesOf(v), i: 0, depth }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.items.length) {
      stack.pop();
      continue;
    }
    const x = f.items[f.i++]!;
    if (Array.isArray(x) && f.depth !== 0) stack.push({ items: x, i: 0, depth: f.depth - 1 });
    else out.push(x);
  }
  return out;
}

function minMaxBy(input: Value, keys: Value, isMin: boolean): Value {
  const items = requireArray(input, 'iterated over');
  if (!Array.isArray(keys) || keys.length !== items.length) fail('Invalid keys');
  if (items.length === 0) return null;
  let best = 0;
  for (let i = 1; i < items.length; i++) {
    const c = compare(keys[i]!, keys[best]!);
    if (isMin ? c < 0 : c >= 0) best = i;
  }
  return items[best]!;
}

const natives: NativeTable = {
  'length/0': (v) => {
    if (v === null) return 0;
    if (typeof v === 'boolean') fail(`${describe(v)} has no length`);
    if (typeof v === 'number') return Math.abs(v);
    if (typeof v === 'string') return ops.stringLength(v);
    if (Array.isArray(v)) return v.length;
    return Object.keys(v).length;
  },
  'not/0': (v) => v === null || v === false,
  'type/0': (v) => typeOf(v),
  'keys/0': (v) => keysOf(v),
  'keys_unsorted/0': (v) => {
    if (isObject(v)) return Object.keys(v);
    return keysOf(v);
  },
  'has/1': (v, k) => {
    if (isObject(v) && typeof k === 'string') return hasOwn(v, k);
    if (Array.isArray(v) && typeof k === 'number') return k >= 0 && k < v.length;
    return fail(`Cannot check whether ${typeOf(v)} has a ${typeOf(k)} key`);
  },
  'contains/1': (a, b) => {
    try {
      return contains(a, b, 0);
    } catch (e) {
      if (e instanceof RangeError) fail('Containment check too deep');
      throw e;
    }
  },
  'add/0': (v) => {
    const items = valuesOf(v);
    if (items.length === 0) return null;
    if (items.every((x) => typeof x === 'string')) return (items as string[]).join('');
    let acc: Value = null;
    for (const x of items) acc = ops.add(acc, x);
    return acc;
  },
  'setpath/2': (v, p, x) => ops.setpath(v, p, x),
  'bsearch/1': (v, t) => ops.bsearch(v, t),
  'delpaths/1': (v, ps) => ops.delpaths(v, ps),
  'to_entries/0': (v) => {
    if (isObject(v)) return Object.keys(v).map((key) => ({ key, value: v[key]! }));
    return keysOf(v).map((key) => ({ key, value: ops.index(v, key) }));
  },
  'sort/0': (v) => requireArray(v, 'sorted').slice().sort(compare),
  '_sort_by_impl/1': (v, keys) => sortByKeys(requireArray(v, 'sorted'), keys, 'sorted').map((x) => x.item),
  '_group_by_impl/1': (v, keys) => {
    const sorted = sortByKeys(requireArray(v, 'grouped'), keys, 'grouped');
    const groups: Value[][] = [];
    let prev: Value | undefined;
    for (const { item, key } of sorted) {
      if (groups.length > 0 && equals(prev!, key)) groups[groups.length - 1]!.push(item);
      else groups.push([item]);
      prev = key;
    }
    return groups;
  },
  '_unique_by_impl/1': (v, keys) => {
    const sorted = sortByKeys(requireArray(v, 'grouped'), keys, 'grouped');
    const out: Value[] = [];
    let prev: Value | undefined;
    for (const { item, key } of sorted) {
      if (out.length === 0 || !equals(prev!, key)) out.push(item);
      prev = key;
    }
    return out;
  },
  'unique/0': (v) => {
    const sorted = requireArray(v, 'sorted').slice().sort(compare);
    return sorted.filter((x, i) => i === 0 || compare(sorted[i - 1]!, x) !== 0);
  },
  '_min_by_impl/1': (v, keys) => minMaxBy(v, keys, true),
  '_max_by_impl/1': (v, keys) => minMaxBy(v, keys, false),
  'min/0': (v) => minMaxBy(v, v, true),
  'max/0': (v) => minMaxBy(v, v, false),
  'reverse/0': (v) => {
    if (v === null) return [];
    if (typeof v === 'string') return Array.from(v).reverse().join('');
    if (Array.isArray(v)) return v.slice().reverse();
    if (isObject(v) && Object.keys(v).length === 0) return [];
    return fail(`Cannot index ${typeOf(v)} with number`);
  },
  'flatten/0': (v) => flatten(v, 1e9),
  'flatten/1': (v, d) => {
    if (typeof d !== 'number') fail('flatten depth must not be negative');
    if (d < 0) fail('flatten depth must not be negative');
    return flatten(v, d);
  },
  'input_filename/0': () => null,
  'input_line_number/0': () => 0,
};

// Builtins written in jq, on top of the natives and special forms.
const jq = `
def values: select(. != null);
def nulls: select(. == null);
def booleans: select(type == "boolean");
def numbers: select(type == "number");
def strings: select(type == "string");
def arrays: select(type == "array");
def objects: select(type == "object");
def iterables: select(type|. == "array" or . == "object");
def scalars: select(type|. != "array" and . != "object");
def map_values(f): .[] |= f;
def recurse(f; cond): recurse(f | select(cond));
def in(xs): . as $x | xs | has($x);
def inside(xs): . as $x | xs | contains($x);
def add(f): reduce f as $x (null; . + $x);
def any(f): any(.[]; f);
def all(f): all(.[]; f);
def any: any(.);
def all: all(.);
def any(g; cond): isempty(first(g | cond or empty)) | not;
def all(g; cond): isempty(first(g | cond and empty));
def first: .[0];
def last: .[-1];
def nth($n): .[$n];
def sort_by(f): _sort_by_impl(map([f]));
def group_by(f): _group_by_impl(map([f]));
def unique_by(f): _unique_by_impl(map([f]));
def min_by(f): _min_by_impl(map([f]));
def max_by(f): _max_by_impl(map([f]));
def from_entries: reduce .[] as $x ({};
  . + { ($x | if .key == null then .k // .name // .Name // .K // .Key else .key end
          | if type == "string" then . else tojson end):
        ($x | if has("value") then .value elif has("v") then .v else .Value end) });
def with_entries(f): to_entries | map(f) | from_entries;
def paths(node_filter): . as $dot | paths | select(. as $p | $dot | getpath($p) | node_filter);
def leaf_paths: paths(scalars);
def debug(msg): (msg | debug | empty), .;
def combinations: if length == 0 then [] else .[0][] as $x | (.[1:] | combinations) as $w | [$x] + $w end;
def combinations(n): . as $dot | [range(n)] | map($dot) | combinations;
def walk(f): def w: if type == "object" then map_values(w) elif type == "array" then map(w) else . end | f; w;
def transpose: [range(0; map(length) | max // 0) as $i | [.[][$i]]];
def tostream: path(def r: (.[]? | r), .; r) as $p | getpath($p) | reduce path(.[]?) as $q ([$p, .]; [$p + $q]);
def fromstream(f): { x: null, e: false } as $init
  | foreach f as $i ($init;
      if .e then $init else . end
      | if $i | length == 2
        then setpath(["e"]; $i[0] | length == 0) | setpath(["x"] + $i[0]; $i[1])
        else setpath(["e"]; $i[0] | length == 1) end;
      if .e then .x else empty end);
def truncate_stream(stream): . as $n | null | stream | . as $input
  | if (.[0] | length) > $n then setpath([0]; .[0][$n:]) else empty end;
def inputs: try repeat(input) catch (if . == "No more inputs" then empty else error end);
def INDEX(stream; idx_expr): reduce stream as $row ({}; .[$row | idx_expr | tostring] |= $row);
def INDEX(idx_expr): INDEX(.[]; idx_expr);
def JOIN($idx; idx_expr): [.[] | [., $idx[idx_expr]]];
def JOIN($idx; stream; idx_expr): stream | [., $idx[idx_expr]];
def JOIN($idx; stream; idx_expr; join_expr): stream | [., $idx[idx_expr]] | join_expr;
def IN(s): any(s == .; .);
def IN(src; s): any(src == s; .);
def get_search_list: [];
`;

export const coreBuiltins: BuiltinModule = { natives, jq };
