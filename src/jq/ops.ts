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
  if (isObject(a) && isObject(b)) {
    try {
      return deepMerge(a, b);
    } catch (e) {
      if (e instanceof RangeError) fail('Object merge too deep');
      throw e;
    }
  }
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
    const x = Math.trunc(a);
    const y = Math.trunc(b);
    if (y === 0) {
      fail(`${describe(a)} and ${describe(b)} cannot be divided (remainder) because the divisor is zero`);
    }
    if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) {
      const r = x % y;
      return r === 0 ? 0 : r;
    }
    // jq converts both operands to 64-bit integers (saturating) before taking the remainder.
    const r = Number(toInt64(x) % toInt64(y));
    return r === 0 ? 0 : r;
  }
  return fail(`${describe(a)} and ${describe(b)} cannot be divided (remainder)`);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function toInt64(n: number): bigint {
  if (n >= 2 ** 63) return INT64_MAX;
  if (n <= -(2 ** 63)) return INT64_MIN;
  return BigInt(n);
}

export function negate(v: Value): Value {
  if (typeof v === 'number') return -v;
  return fail(`${describe(v)} cannot be negated`);
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

/** Start and end of a slice, as jq computes them: start rounds down, end rounds up, nan means open. */
function sliceBounds(len: number, from: Value, to: Value): [number, number] {
  if ((from !== null && typeof from !== 'number') || (to !== null && typeof to !== 'number')) {
    fail('Start and end indices of an array slice must be numbers');
  }
  let s = from === null || from !== from ? 0 : from;
  if (s < 0) s += len;
  if (s < 0) s = 0;
  if (s > len) s = len;
  const start = Math.floor(s);
  let e = to === null || to !== to ? len : to;
  if (e < 0) e += len;
  if (e < start) e = start;
  let end = e > len ? len : Math.floor(e);
  if (end < e && end < len) end++;
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

const MAX_PATH = 10_000;

function checkPath(path: Value): Value[] {
  if (!Array.isArray(path)) fail('Path must be specified as an array');
  if (path.length > MAX_PATH) fail('Path too deep');
  return path;
}

export function getpath(v: Value, p: Value): Value {
  const path = checkPath(p);
  let cur = v;
  for (const k of path) {
    if (cur === null) return null;
    cur = index(cur, k);
  }
  return cur;
}

export function setpath(root: Value, path: Value, v: Value): Value {
  return setIn(root, checkPath(path), 0, v);
}

/** Sets `v` at `path[i..]` under `t`, copying each container on the way (iteratively: paths may be long). */
function setIn(t: Value, path: Value[], i: number, v: Value): Value {
  const containers: Value[] = [];
  let cur = t;
  for (let j = i; j < path.length; j++) {
    containers.push(cur);
    cur = childForSet(cur, path[j]!);
  }
  let out = v;
  for (let j = path.length - 1; j >= i; j--) out = setOne(containers[j - i]!, path[j]!, out);
  return out;
}

function childForSet(t: Value, k: Value): Value {
  if (typeof k === 'string') {
    if (t === null) return null;
    if (isObject(t)) return hasOwn(t, k) ? t[k]! : null;
    return indexFail(t, k);
  }
  if (typeof k === 'number') {
    if (t === null) return null;
    if (Array.isArray(t)) {
      if (k !== k) fail('Cannot set array element at NaN index');
      let idx = Math.floor(k);
      if (idx < 0) {
        idx += t.length;
        if (idx < 0) fail('Out of bounds negative array index');
      }
      return idx < t.length ? t[idx]! : null;
    }
    return indexFail(t, k);
  }
  if (isObject(k)) {
    if (t === null) return null;
    if (Array.isArray(t)) {
      const [s, e] = sliceBounds(t.length, k['start'] ?? null, k['end'] ?? null);
      return t.slice(s, e);
    }
    if (typeof t === 'string') fail('Cannot update string slices');
    return indexFail(t, k);
  }
  if (Array.isArray(k) && Array.isArray(t)) fail('Cannot update field at array index of array');
  return indexFail(t, k);
}

function setOne(t: Value, k: Value, v: Value): Value {
  if (typeof k === 'string') {
    const o: JsonObject = {};
    if (t !== null) for (const key in t as JsonObject) setKey(o, key, (t as JsonObject)[key]!);
    setKey(o, k, v);
    return o;
  }
  if (typeof k === 'number') {
    const a = t === null ? [] : (t as Value[]).slice();
    let idx = Math.floor(k);
    if (idx < 0) idx += a.length;
    if (idx < 0) fail('Out of bounds negative array index');
    if (idx > 100_000_000) fail('Array index too large');
    while (a.length < idx) a.push(null);
    a[idx] = v;
    return a;
  }
  const a = t === null ? [] : (t as Value[]);
  const range = k as JsonObject;
  const [s, e] = sliceBounds(a.length, range['start'] ?? null, range['end'] ?? null);
  if (!Array.isArray(v)) fail('A slice of an array can only be assigned another array');
  return [...a.slice(0, s), ...v, ...a.slice(e)];
}

export function delpaths(v: Value, paths: Value): Value {
  if (!Array.isArray(paths)) fail('Paths must be specified as an array');
  for (const p of paths) checkPath(p);
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

/** Binary search in a sorted array: the index of `target`, or `-1 - insertionPoint`. */
export function bsearch(v: Value, target: Value): number {
  if (!Array.isArray(v)) fail(`${describe(v)} cannot be searched from`);
  let lo = 0;
  let hi = v.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compare(v[mid]!, target);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1 - lo;
}
