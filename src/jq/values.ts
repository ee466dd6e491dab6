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

/** jq's total order: null < false < true < numbers < strings < arrays < objects. */
export function compare(a: Value, b: Value): number {
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
      if (Array.isArray(a)) {
        const bb = b as Value[];
        const n = Math.min(a.length, bb.length);
        for (let i = 0; i < n; i++) {
          const c = compare(a[i]!, bb[i]!);
          if (c !== 0) return c;
        }
        return a.length < bb.length ? -1 : a.length > bb.length ? 1 : 0;
      }
      const bo = b as JsonObject;
      const ka = sortedKeys(a);
      const kb = sortedKeys(bo);
      const c = compare(ka, kb);
      if (c !== 0) return c;
      for (const k of ka) {
        const d = compare(a[k]!, bo[k]!);
        if (d !== 0) return d;
      }
      return 0;
    }
    default:
      return 0;
  }
}

export function equals(a: Value, b: Value): boolean {
  if (a === b) return typeof a !== 'number' || a === a;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k) || !equals(a[k]!, b[k]!)) return false;
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
  switch (typeof v) {
    case 'number':
      return formatNumber(v);
    case 'string':
      return quoteString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default: {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          out += toJson(v[i]!);
        }
        return out + ']';
      }
      let out = '{';
      let first = true;
      for (const k in v) {
        if (!first) out += ',';
        first = false;
        out += quoteString(k) + ':' + toJson(v[k]!);
      }
      return out + '}';
    }
  }
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

/** The dump of a value inside an error message, cut to jq's 30-byte buffer with "...". */
export function errorPreview(v: Value): string {
  const s = toJson(v);
  if (utf8.encode(s).length <= 29) return s;
  return truncateUtf8(s, typeof v === 'string' ? 25 : 26) + '...';
}

/** Deep copy of a JSON value (used before handing data to callers that may mutate it). */
export function clone<T extends Value>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const o: JsonObject = {};
  for (const k in v) setKey(o, k, clone(v[k]!));
  return o as T;
}
