import { JqRuntimeError } from './errors.js';

/** A JSON value as the jq engine sees it: plain JavaScript data. */
export type Value = null | boolean | number | string | Value[] | JsonObject;
export interface JsonObject {
  [key: string]: Value;
}

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function typeOf(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return Array.isArray(v) ? 'array' : 'object';
  }
}

export function isObject(v: Value): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isTruthy(v: Value): boolean {
  return v !== null && v !== false;
}

/** Sets a key on an object without ever touching its prototype (`__proto__` is a plain key here). */
export function setKey(o: JsonObject, key: string, value: Value): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

export function hasOwn(o: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

const KIND_ORDER: Record<TypeName, number> = {
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
  array: 4,
  object: 5,
};

function kindRank(v: Value): number {
  if (v === null) return 0;
  if (v === false) return 1;
  if (v === true) return 2;
  return KIND_ORDER[typeOf(v)] + 1;
}

/** Compares strings by Unicode code point, as jq does (it compares UTF-8 bytes). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort above every BMP code unit in code point order.
      if (x >= 0xd800 && y >= 0xd800) {
        const sx = x >= 0xd800 && x <= 0xdfff;
        const sy = y >= 0xd800 && y <= 0xdfff;
        if (sx !== sy) return sx ? 1 : -1;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  // jq compares nan as if it were null: below every number, itself included.
  if (a !== a) return -1;
  if (b !== b) return 1;
  return a < b ? -1 : a === b ? 0 : 1;
}

export function sortedKeys(o: JsonObject): string[] {
  return Object.keys(o).sort(compareStrings);
}

const MAX_DEPTH = 10_000;
const RECURSION_LIMIT = 200;

/** jq's total order: null < false < true < numbers < strings < arrays < objects. */
export function compare(a: Value, b: Value): number {
  return compareAt(a, b, 0);
}

function compareAt(a: Value, b: Value, depth: number): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (typeof a) {
    case 'number':
      return compareNumbers(a, b as number);
    case 'string':
      return compareStrings(a, b as string);
    case 'object': {
      if (a === null) return 0;
      if (depth >= RECURSION_LIMIT) return compareDeep(a, b, depth);
      const [xs, ys, tail] = children(a, b as Value[] | JsonObject);
      if (typeof tail === 'number' && xs === null) return tail;
      for (let i = 0; i < xs!.length && i < ys!.length; i++) {
        const c = compareAt(xs![i]!, ys![i]!, depth + 1);
        if (c !== 0) return c;
      }
      return tail;
    }
    default:
      return 0;
  }
}

/**
 * The sequences to compare for two containers of the same kind and what decides when they are
 * equal: arrays compare elements then lengths; objects compare sorted keys, then values in key order.
 */
function children(a: Value[] | JsonObject, b: Value[] | JsonObject): [Value[] | null, Value[] | null, number] {
  if (Array.isArray(a)) {
    const bb = b as Value[];
    return [a, bb, a.length < bb.length ? -1 : a.length > bb.length ? 1 : 0];
  }
  const bo = b as JsonObject;
  const ka = sortedKeys(a);
  const kb = sortedKeys(bo);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ka[i]!, kb[i]!);
    if (c !== 0) return [null, null, c];
  }
  if (ka.length !== kb.length) return [null, null, ka.length < kb.length ? -1 : 1];
  return [ka.map((k) => a[k]!), ka.map((k) => bo[k]!), 0];
}

/** compare() for deeply nested values, with an explicit stack instead of recursion. */
function compareDeep(a: Value[] | JsonObject, b: Value, depth: number): number {
  const stack: { xs: Value[]; ys: Value[]; i: number; tail: number }[] = [];
  const open = (x: Value[] | JsonObject, y: Value[] | JsonObject, d: number): number | null => {
    if (d > MAX_DEPTH) throw new JqRuntimeError('Comparison too deep');
    const [xs, ys, tail] = children(x, y);
    if (xs === null) return tail;
    stack.push({ xs, ys: ys!, i: 0, tail });
    return null;
  };
  const first = open(a, b as Value[] | JsonObject, depth);
  if (first !== null) return first;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.xs.length || f.i >= f.ys.length) {
      stack.pop();
      if (f.tail !== 0) return f.tail;
      continue;
    }
    const x = f.xs[f.i]!;
    const y = f.ys[f.i]!;
    f.i++;
    const rx = kindRank(x);
    const ry = kindRank(y);
    if (rx !== ry) return rx < ry ? -1 : 1;
    if (x !== null && typeof x === 'object') {
      const r = open(x, y as Value[] | JsonObject, depth + stack.length);
      if (r !== null && r !== 0) return r;
      continue;
    }
    const c = compareAt(x, y, 0);
    if (c !== 0) return c;
  }
  return 0;
}

export function equals(a: Value, b: Value): boolean {
  return equalsAt(a, b, 0);
}

function equalsAt(a: Value, b: Value, depth: number): boolean {
  if (a === b) return typeof a !== 'number' || a === a;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth >= RECURSION_LIMIT) return equalsDeep(a, b, depth);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalsAt(a[i]!, b[i]!, depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k) || !equalsAt(a[k]!, b[k]!, depth + 1)) return false;
  }
  return true;
}

/** equals() for deeply nested values, with an explicit stack instead of recursion. */
function equalsDeep(a: Value, b: Value, depth: number): boolean {
  const stack: [Value, Value, number][] = [[a, b, depth]];
  while (stack.length > 0) {
    const [x, y, d] = stack.pop()!;
    if (x === y) {
      if (typeof x === 'number' && x !== x) return false;
      continue;
    }
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (d > MAX_DEPTH) throw new JqRuntimeError('Equality check too deep');
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i]!, y[i]!, d + 1]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      if (!hasOwn(y, k)) return false;
      stack.push([x[k]!, y[k]!, d + 1]);
    }
  }
  return true;
}

/**
 * Formats a number the way jq 1.8 prints it: the shortest digits that read back the same,
 * plain notation unless the exponent is below -4 or far beyond the digits, infinities as
 * the largest double, nan as null.
 */
export function formatNumber(n: number): string {
  if (n !== n) return 'null';
  if (n === Infinity) return '1.7976931348623157e+308';
  if (n === -Infinity) return '-1.7976931348623157e+308';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (Number.isInteger(n) && Math.abs(n) < 1e17) return String(n);
  const exp = n.toExponential();
  const sign = exp[0] === '-' ? '-' : '';
  const body = sign ? exp.slice(1) : exp;
  const e = body.indexOf('e');
  const digits = body.slice(0, e).replace('.', '');
  const decpt = Number(body.slice(e + 1)) + 1;
  if (decpt <= -4 || decpt > digits.length + 15) {
    const x = decpt - 1;
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ax = Math.abs(x);
    return `${sign}${mant}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

const ESCAPES = /["\\\u0000-\u001f\u007f]/;

export function quoteString(s: string): string {
  const q = JSON.stringify(s);
  return ESCAPES.test(s) && s.includes('\u007f') ? q.replace(/\u007f/g, '\\u007f') : q;
}

/** Serialises a value as compact JSON, exactly as jq's `tojson` does. */
export function toJson(v: Value): string {
  return toJsonAt(v, 0);
}

function toJsonAt(v: Value, depth: number): string {
  switch (typeof v) {
    case 'number':
      return formatNumber(v);
    case 'string':
      return quoteString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default: {
      if (v === null) return 'null';
      if (depth >= RECURSION_LIMIT) return toJsonDeep(v, depth);
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          out += toJsonAt(v[i]!, depth + 1);
        }
        return out + ']';
      }
      let out = '{';
      let first = true;
      for (const k in v) {
        if (!first) out += ',';
        first = false;
        out += quoteString(k) + ':' + toJsonAt(v[k]!, depth + 1);
      }
      return out + '}';
    }
  }
}

/** toJson() for deeply nested values; like jq, levels past 10,000 print as `<skipped: too deep>`. */
function toJsonDeep(v: Value, depth: number): string {
  const out: string[] = [];
  const stack: (string | [Value, number])[] = [[v, depth]];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const [x, d] = item;
    if (d > MAX_DEPTH) {
      out.push('<skipped: too deep>');
    } else if (x === null || typeof x !== 'object') {
      out.push(toJsonAt(x, d));
    } else if (Array.isArray(x)) {
      out.push('[');
      stack.push(']');
      for (let i = x.length - 1; i >= 0; i--) {
        stack.push([x[i]!, d + 1]);
        if (i > 0) stack.push(',');
      }
    } else {
      out.push('{');
      stack.push('}');
      const keys = Object.keys(x);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push([x[keys[i]!]!, d + 1]);
        stack.push(quoteString(keys[i]!) + ':');
        if (i > 0) stack.push(',');
      }
    }
  }
  return out.join('');
}

const utf8 = new TextEncoder();

function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > maxBytes) break;
    bytes += n;
    i += ch.length;
  }
  return s.slice(0, i);
}

/** The dump of a value inside an error message, cut as jq 1.8 cuts it (about 30 bytes, then "..."). */
export function errorPreview(v: Value): string {
  const s = toJson(v);
  if (s.length <= 29 && utf8.encode(s).length <= 29) return s;
  if (typeof v === 'string') return `"${truncateUtf8(s.slice(1, -1), 24)}..."`;
  return truncateUtf8(s, 26) + '...';
}
