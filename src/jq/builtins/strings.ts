/**
 * String builtins of jq 1.8: conversions (tostring, tojson, fromjson, tonumber, toboolean),
 * explode/implode, trimming, splitting, joining and substring search.
 *
 * Strings are measured and indexed in Unicode code points, as jq does, and error texts
 * are jq's own.
 */
import { describe, fail, typeFail } from '../errors.js';
import { parseJson, parseNumberLiteral } from '../json.js';
import type { JsonObject, Value } from '../values.js';
import { quoteString, toJson } from '../values.js';
import type { BuiltinModule, NativeTable } from './types.js';

/** jq's MAX_PRINT_DEPTH: values nested deeper print as `<skipped: too deep>`. */
const MAX_PRINT_DEPTH = 10000;
const SKIPPED = '<skipped: too deep>';

/**
 * A value as jq's `tojson` prints it. The marker only shows up for very deep values; those are
 * printed again here so that the cut-off is jq's own, whatever level `toJson` cuts at.
 */
export function dumpJson(v: Value): string {
  if (v === null || typeof v !== 'object') return toJson(v);
  let s: string;
  try {
    s = toJson(v);
  } catch (e) {
    if (e instanceof RangeError) return dumpDeep(v);
    throw e;
  }
  return s.includes(SKIPPED) ? dumpDeep(v) : s;
}

interface PrintFrame {
  value: Value[] | JsonObject;
  keys: string[] | null;
  next: number;
}

function dumpDeep(root: Value): string {
  const parts: string[] = [];
  const stack: PrintFrame[] = [];
  const emit = (v: Value, depth: number): void => {
    if (depth > MAX_PRINT_DEPTH) {
      parts.push(SKIPPED);
    } else if (v === null || typeof v !== 'object') {
      parts.push(toJson(v));
    } else if (Array.isArray(v)) {
      parts.push('[');
      stack.push({ value: v, keys: null, next: 0 });
    } else {
      parts.push('{');
      stack.push({ value: v, keys: Object.keys(v), next: 0 });
    }
  };
  emit(root, 0);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const depth = stack.length;
    if (frame.keys === null) {
      const arr = frame.value as Value[];
      if (frame.next < arr.length) {
        if (frame.next > 0) parts.push(',');
        emit(arr[frame.next++]!, depth);
      } else {
        stack.pop();
        parts.push(']');
      }
    } else if (frame.next < frame.keys.length) {
      const k = frame.keys[frame.next]!;
      parts.push((frame.next > 0 ? ',' : '') + quoteString(k) + ':');
      frame.next++;
      emit((frame.value as JsonObject)[k]!, depth);
    } else {
      stack.pop();
      parts.push('}');
    }
  }
  return parts.join('');
}

/** jq's `tostring`: strings as they are, everything else as JSON text. */
export function toStringValue(v: Value): string {
  return typeof v === 'string' ? v : dumpJson(v);
}

/** `split/1` and string division: a plain separator; "" splits into code points. */
export function splitString(s: string, sep: string): string[] {
  if (s === '') return [];
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

/** Number of UTF-8 bytes of a string (a lone surrogate counts as the U+FFFD jq would hold). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) {
      n += 2;
      i++;
    } else {
      n += 2;
    }
  }
  return n;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function explode(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && isLow(d)) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
      } else {
        out.push(0xfffd);
      }
    } else {
      out.push(c);
    }
  }
  return out;
}

function implode(input: Value): string {
  if (!Array.isArray(input)) fail('implode input must be an array');
  const units: number[] = [];
  let out = '';
  for (const x of input) {
    if (typeof x !== 'number' || x !== x) {
      typeFail(x, "can't be imploded, unicode codepoint needs to be numeric");
    }
    let cp = Math.trunc(x);
    if (!(cp >= 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 8192) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

/** The whitespace jq 1.8's trim, ltrim and rtrim remove. */
function isTrimSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

function trim(input: Value, left: boolean, right: boolean): string {
  if (typeof input !== 'string') fail('trim input must be a string');
  let start = 0;
  let end = input.length;
  if (left) while (start < end && isTrimSpace(input.charCodeAt(start))) start++;
  if (right) while (end > start && isTrimSpace(input.charCodeAt(end - 1))) end--;
  return start === 0 && end === input.length ? input : input.slice(start, end);
}

function ltrimstr(input: Value, prefix: Value): string {
  if (typeof input !== 'string' || typeof prefix !== 'string') {
    fail('startswith() requires string inputs');
  }
  return prefix !== '' && input.startsWith(prefix) ? input.slice(prefix.length) : input;
}

function rtrimstr(input: Value, suffix: Value): string {
  if (typeof input !== 'string' || typeof suffix !== 'string') {
    fail('endswith() requires string inputs');
  }
  return suffix !== '' && input.endsWith(suffix) ? input.slice(0, input.length - suffix.length) : input;
}

/** Code point offsets of every (overlapping) occurrence of `needle` in `s`. */
function strIndices(s: Value, needle: Value): number[] {
  if (typeof s !== 'string') typeFail(s, 'cannot be searched, as it is not a string');
  if (typeof needle !== 'string') typeFail(needle, 'is not a string');
  const out: number[] = [];
  if (needle === '') return out;
  let unit = 0;
  let cp = 0;
  for (let at = s.indexOf(needle); at >= 0; at = s.indexOf(needle, at + 1)) {
    for (; unit < at; unit++) {
      if (!(isLow(s.charCodeAt(unit)) && isHigh(s.charCodeAt(unit - 1)))) cp++;
    }
    out.push(cp);
  }
  return out;
}

/** jq's `+`, for the operand kinds `join` can meet. */
function plus(a: Value, b: Value): Value {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return fail(`${describe(a)} and ${describe(b)} cannot be added`);
}

function join(input: Value, sep: Value): Value {
  let items: Value[];
  if (Array.isArray(input)) items = input;
  else if (input !== null && typeof input === 'object') items = Object.values(input);
  else return fail(`Cannot iterate over ${describe(input)}`);
  let acc: Value = null;
  for (const x of items) {
    const left = acc === null ? '' : plus(acc, sep);
    const right: Value = typeof x === 'boolean' || typeof x === 'number' ? dumpJson(x) : x === null ? '' : x;
    acc = plus(left, right);
  }
  return acc === null || acc === false ? '' : acc;
}

function tonumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && !v.includes('\u0000')) {
    const n = parseNumberLiteral(v);
    if (n !== undefined) return n;
  }
  return typeFail(v, 'cannot be parsed as a number');
}

function toboolean(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return typeFail(v, 'cannot be parsed as a boolean');
}

function asciiCase(v: Value, upper: boolean): string {
  if (typeof v !== 'string') fail('explode input must be a string');
  return upper ? v.replace(/[a-z]+/g, (m) => m.toUpperCase()) : v.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const natives: NativeTable = {
  'tostring/0': (v) => toStringValue(v),
  'tojson/0': (v) => dumpJson(v),
  'fromjson/0': (v) => {
    if (typeof v !== 'string') typeFail(v, 'only strings can be parsed');
    return parseJson(v);
  },
  'tonumber/0': (v) => tonumber(v),
  'toboolean/0': (v) => toboolean(v),
  'ascii_downcase/0': (v) => asciiCase(v, false),
  'ascii_upcase/0': (v) => asciiCase(v, true),
  'explode/0': (v) => {
    if (typeof v !== 'string') fail('explode input must be a string');
    return explode(v);
  },
  'implode/0': (v) => implode(v),
  'ltrimstr/1': (v, s) => ltrimstr(v, s),
  'rtrimstr/1': (v, s) => rtrimstr(v, s),
  'trimstr/1': (v, s) => rtrimstr(ltrimstr(v, s), s),
  'startswith/1': (v, s) => {
    if (typeof v !== 'string' || typeof s !== 'string') fail('startswith() requires string inputs');
    return v.startsWith(s);
  },
  'endswith/1': (v, s) => {
    if (typeof v !== 'string' || typeof s !== 'string') fail('endswith() requires string inputs');
    return v.endsWith(s);
  },
  'trim/0': (v) => trim(v, true, true),
  'ltrim/0': (v) => trim(v, true, false),
  'rtrim/0': (v) => trim(v, false, true),
  'utf8bytelength/0': (v) => {
    if (typeof v !== 'string') typeFail(v, 'only strings have UTF-8 byte length');
    return utf8Length(v);
  },
  'split/1': (v, sep) => {
    if (typeof v !== 'string' || typeof sep !== 'string') {
      fail('split input and separator must be strings');
    }
    return splitString(v, sep);
  },
  'join/1': (v, sep) => join(v, sep),
  '_strindices/1': (v, needle) => strIndices(v, needle),
  'abs/0': (v) => (typeof v === 'number' && v < 0 ? -v : v),
  'toarray/0': (v) => (Array.isArray(v) ? v : [v]),
  'have_decnum/0': () => false,
  'have_literal_numbers/0': () => true,
};

export const stringBuiltins: BuiltinModule = {
  natives,
  jq: `
def indices($i): if type == "array" and ($i|type) == "array" then .[$i]
  elif type == "array" then .[[$i]]
  elif type == "string" and ($i|type) == "string" then _strindices($i)
  else .[$i] end;
def index($i): indices($i) | .[0];
def rindex($i): indices($i) | .[-1:][0];
def ascii: if type == "number" and . >= 0 and . <= 127 then [.] | implode
  else error("ascii only takes integers between 0 and 127") end;
`,
};
