import { describe, fail } from './errors.js';
import { compare, equals, hasOwn, isObject, setKey, typeOf, type JsonObject, type Value } from './values.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of a string (only split when it holds astral characters). */
export function codePoints(s: string): string[] | null {
  return SURROGATE.test(s) ? Array.from(s) : null;
}

export function stringLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export function add(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
  if (isObject(a) && isObject(b)) {
    const o: JsonObject = {};
    for (const k in a) setKey(o, k, a[k]!);
    for (const k in b) setKey(o, k, b[k]!);
    return o;
  }
  return fail(`${describe(a)} and ${describe(b)} cannot be added`);
}

export function subtract(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (Array.isArray(a) && Array.isArray(b)) return a.filter((x) => !b.some((y) => equals(x, y)));
  return fail(`${describe(a)} and ${describe(b)} cannot be subtracted`);
}

const MAX_REPEAT = 2 ** 28;

function repeat(s: string, n: number): Value {
  if (!(n >= 0)) return null;
  const count = Math.floor(n);
  if (s.length * count > MAX_REPEAT) fail('Repeat string result too long');
  return s.repeat(count);
}

function deepMerge(a: JsonObject, b: JsonObject): JsonObject {
  const o: JsonObject = {};
  for (const k in a) setKey(o, k, a[k]!);
  for (const k in b) {
    const x = o[k];
    const y = b[k]!;
    setKey(o, k, hasOwn(o, k) && isObject(x!) && isObject(y) ? deepMerge(x, y) : y);
  }
  return o;
}

export function multiply(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (typeof a === 'string' && typeof b === 'number') return repeat(a, b);
  if (typeof a === 'number' && typeof b === 'string') return repeat(b, a);
  if (isObject(a) && isObject(b)) return deepMerge(a, b);
  return fail(`${describe(a)} and ${describe(b)} cannot be multiplied`);
}

export function divide(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) fail(`${describe(a)} and ${describe(b)} cannot be divided because the divisor is zero`);
    return a / b;
  }
  if (typeof a === 'string' && typeof b === 'string') return splitString(a, b);
  return fail(`${describe(a)} and ${describe(b)} cannot be divided`);
}

export function splitString(a: string, sep: string): Value[] {
  if (a === '') return [];
  if (sep === '') return codePoints(a) ?? a.split('');
  return a.split(sep);
}

export function modulo(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== a || b !== b) return NaN;
    const x = truncInt(a);
    const y = truncInt(b);
    if (y === 0) fail(`${describe(a)} and ${describe(b)} cannot be divided (remainder) because the divisor is zero`);
    const r = x % y;
    return r === 0 ? 0 : r;
  }
  return fail(`${describe(a)} and ${describe(b)} cannot be divided (remainder)`);
}

/** C's conversion of a double to intmax_t, saturating like jq's `dtoi`. */
function truncInt(n: number): number {
  if (n >= 9223372036854775807) return 9223372036854775807;
  if (n <= -9223372036854775808) return -9223372036854775808;
  return Math.trunc(n);
}

export function negate(v: Value): Value {
  if (typeof v === 'number') return -v;
  return fail(`${describe(v)} cannot be negated`);
}

export function binaryCompare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case '==':
      return equals(a, b);
    case '!=':
      return !equals(a, b);
    case '<':
      return compare(a, b) < 0;
    case '<=':
      return compare(a, b) <= 0;
    case '>':
      return compare(a, b) > 0;
    default:
      return compare(a, b) >= 0;
  }
}

function indexFail(t: Value, k: Value): never {
  return fail(`Cannot index ${typeOf(t)} with ${describe(k)}`);
}

/** `t[k]` with jq's rules: null propagates, negative array indices count from the end. */
export function index(t: Value, k: Value): Value {
  if (typeof k === 'string') {
    if (isObject(t)) return hasOwn(t, k) ? t[k]! : null;
    if (t === null) return null;
    return indexFail(t, k);
  }
  if (typeof k === 'number') {
    if (Array.isArray(t)) {
      if (k !== k) return null;
      let i = Math.floor(k);
      if (i < 0) i += t.length;
      return i >= 0 && i < t.length ? t[i]! : null;
    }
    if (t === null) return null;
    return indexFail(t, k);
  }
  if (isObject(k)) {
    if (t === null || Array.isArray(t) || typeof t === 'string') {
      if (t === null) return null;
      return slice(t, k['start'] ?? null, k['end'] ?? null);
    }
    return indexFail(t, k);
  }
  if (Array.isArray(k) && Array.isArray(t)) return arrayIndices(t, k);
  if (t === null && k === null) return null;
  return indexFail(t, k);
}

export function arrayIndices(t: Value[], k: Value[]): Value {
  if (k.length === 0) return null;
  const out: number[] = [];
  for (let i = 0; i + k.length <= t.length; i++) {
    let ok = true;
    for (let j = 0; j < k.length; j++) {
      if (!equals(t[i + j]!, k[j]!)) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(i);
  }
  return out;
}

function sliceBounds(len: number, from: Value, to: Value): [number, number] {
  if ((from !== null && typeof from !== 'number') || (to !== null && typeof to !== 'number')) {
    fail('Start and end indices of an array slice must be numbers');
  }
  let s = from === null ? 0 : from;
  let e = to === null ? len : to;
  if (s < 0) s += len;
  if (e < 0) e += len;
  if (s < 0) s = 0;
  if (s > len) s = len;
  if (e > len) e = len;
  if (e < s) e = s;
  const start = Math.floor(s);
  let end = Math.floor(e);
  if (end < e) end++;
  if (end > len) end = len;
  return [start, end];
}

export function slice(t: Value, from: Value, to: Value): Value {
  if (t === null) return null;
  if (Array.isArray(t)) {
    const [s, e] = sliceBounds(t.length, from, to);
    return t.slice(s, e);
  }
  if (typeof t === 'string') {
    const cps = codePoints(t);
    const [s, e] = sliceBounds(cps ? cps.length : t.length, from, to);
    return cps ? cps.slice(s, e).join('') : t.slice(s, e);
  }
  return fail(`Cannot index ${typeOf(t)} with object`);
}

/** Children of a value for `.[]`, with their keys (for path tracking). */
export function iterateFail(v: Value): never {
  return fail(`Cannot iterate over ${describe(v)}`);
}

export function getpath(v: Value, path: Value): Value {
  if (!Array.isArray(path)) fail('Path must be specified as an array');
  let cur = v;
  for (const k of path) {
    if (cur === null) return null;
    cur = index(cur, k);
  }
  return cur;
}

export function setpath(root: Value, path: Value, v: Value): Value {
  if (!Array.isArray(path)) fail('Path must be specified as an array');
  return setIn(root, path, 0, v);
}

function setIn(t: Value, path: Value[], i: number, v: Value): Value {
  if (i === path.length) return v;
  const k = path[i]!;
  if (typeof k === 'string') {
    if (t === null || isObject(t)) {
      const o: JsonObject = {};
      if (t !== null) for (const key in t) setKey(o, key, t[key]!);
      setKey(o, k, setIn(t !== null && hasOwn(t, k) ? t[k]! : null, path, i + 1, v));
      return o;
    }
    return indexFail(t, k);
  }
  if (typeof k === 'number') {
    if (t === null || Array.isArray(t)) {
      const a = t === null ? [] : t.slice();
      if (k !== k) fail('Cannot set array element at NaN index');
      let idx = Math.floor(k);
      if (idx < 0) {
        idx += a.length;
        if (idx < 0) fail('Out of bounds negative array index');
      }
      if (idx > 100_000_000) fail('Array index too large');
      while (a.length < idx) a.push(null);
      a[idx] = setIn(idx < (t === null ? 0 : t.length) ? a[idx]! : null, path, i + 1, v);
      return a;
    }
    return indexFail(t, k);
  }
  if (isObject(k)) {
    if (t === null || Array.isArray(t)) {
      const a = t === null ? [] : t;
      const [s, e] = sliceBounds(a.length, k['start'] ?? null, k['end'] ?? null);
      const repl = setIn(a.slice(s, e), path, i + 1, v);
      if (!Array.isArray(repl)) fail('A slice of an array can only be assigned another array');
      return [...a.slice(0, s), ...repl, ...a.slice(e)];
    }
    if (typeof t === 'string') fail('Cannot update string slices');
    return indexFail(t, k);
  }
  if (Array.isArray(k) && Array.isArray(t)) fail('Cannot update field at array index of array');
  return indexFail(t, k);
}

export function delpaths(v: Value, paths: Value): Value {
  if (!Array.isArray(paths)) fail('Paths must be specified as an array');
  for (const p of paths) if (!Array.isArray(p)) fail('Path must be specified as an array');
  return delIn(v, paths as Value[][]);
}

/**
 * Deletes many paths at once, as jq does: deeper paths first through their parents, then all
 * keys of one container together, with negative indices and slices taken against the
 * container as it was (so `del(.[1], .[-6])` deletes two elements of the original array).
 */
function delIn(t: Value, paths: Value[][]): Value {
  if (paths.length === 0 || t === null) return t;
  const here: Value[] = [];
  const deeper = new Map<string, { key: Value; tails: Value[][] }>();
  for (const p of paths) {
    if (p.length === 0) return null;
    if (p.length === 1) {
      here.push(p[0]!);
      continue;
    }
    const id = JSON.stringify(p[0]);
    let g = deeper.get(id);
    if (g === undefined) deeper.set(id, (g = { key: p[0]!, tails: [] }));
    g.tails.push(p.slice(1));
  }
  let out: Value = t;
  for (const { key, tails } of deeper.values()) {
    const child = index(out, key);
    if (child === null) continue;
    out = setIn(out, [key], 0, delIn(child, tails));
  }
  return here.length === 0 ? out : deleteKeys(out, here);
}

function deleteKeys(t: Value, keys: Value[]): Value {
  if (isObject(t)) {
    const drop = new Set<string>();
    for (const k of keys) {
      if (typeof k !== 'string') fail(`Cannot delete field at index of object`);
      drop.add(k);
    }
    const o: JsonObject = {};
    for (const key in t) if (!drop.has(key)) setKey(o, key, t[key]!);
    return o;
  }
  if (Array.isArray(t)) {
    const drop = new Array<boolean>(t.length).fill(false);
    for (const k of keys) {
      if (typeof k === 'number') {
        if (k !== k) continue;
        let idx = Math.floor(k);
        if (idx < 0) idx += t.length;
        if (idx >= 0 && idx < t.length) drop[idx] = true;
      } else if (isObject(k)) {
        const [s, e] = sliceBounds(t.length, k['start'] ?? null, k['end'] ?? null);
        for (let i = s; i < e; i++) drop[i] = true;
      } else {
        fail(`Cannot delete field at object index of array`);
      }
    }
    return t.filter((_x, i) => !drop[i]);
  }
  return fail(`Cannot delete field at index of ${typeOf(t)}`);
}
