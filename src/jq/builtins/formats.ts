/**
 * jq's `@format` strings: @text, @json, @html, @uri, @urid, @csv, @tsv, @sh, @base64,
 * @base64d, @base32, @base32d, and `format/1`. Byte-oriented formats work on the UTF-8
 * encoding of the text, as jq does, and decoded bytes that are not valid UTF-8 are repaired
 * the way jq repairs them (one U+FFFD per bad sequence).
 */
import { fail, typeFail } from '../errors.js';
import type { Value } from '../values.js';
import { dumpJson, toStringValue } from './strings.js';
import type { BuiltinModule } from './types.js';

/** Formats one value with `@name`; the compiler also calls this for `@name "...\(x)..."`. */
export function applyFormat(name: string, v: Value): string {
  switch (name) {
    case 'text':
      return toStringValue(v);
    case 'json':
      return dumpJson(v);
    case 'csv':
      return row(v, 'csv');
    case 'tsv':
      return row(v, 'tsv');
    case 'html':
      return escape(toStringValue(v), HTML);
    case 'uri':
      return uriEncode(toStringValue(v));
    case 'urid':
      return uriDecode(toStringValue(v));
    case 'sh':
      return shell(v);
    case 'base64':
      return base64Encode(utf8.encode(toStringValue(v)));
    case 'base64d':
      return base64Decode(toStringValue(v));
    case 'base32':
      return base32Encode(toStringValue(v));
    case 'base32d':
      return base32Decode(toStringValue(v));
    default:
      return fail(`${name} is not a valid format`);
  }
}

type Escapes = { re: RegExp; map: Record<string, string> };

// jq's escape_string always turns NUL into the two characters `\0`.
const CSV: Escapes = { re: /["\0]/g, map: { '"': '""', '\0': '\\0' } };
const TSV: Escapes = {
  re: /[\t\r\n\\\0]/g,
  map: { '\t': '\\t', '\r': '\\r', '\n': '\\n', '\\': '\\\\', '\0': '\\0' },
};
const HTML: Escapes = {
  re: /[&<>'"\0]/g,
  map: { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;', '\0': '\\0' },
};
const SH: Escapes = { re: /['\0]/g, map: { "'": "'\\''", '\0': '\\0' } };

function escape(s: string, e: Escapes): string {
  e.re.lastIndex = 0;
  return e.re.test(s) ? s.replace(e.re, (c) => e.map[c]!) : s;
}

function row(v: Value, kind: 'csv' | 'tsv'): string {
  if (!Array.isArray(v)) typeFail(v, `cannot be ${kind}-formatted, only array`);
  const sep = kind === 'csv' ? ',' : '\t';
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (i > 0) out += sep;
    const x = v[i]!;
    switch (typeof x) {
      case 'boolean':
        out += x ? 'true' : 'false';
        break;
      case 'number':
        if (x === x) out += dumpJson(x);
        break;
      case 'string':
        out += kind === 'csv' ? `"${escape(x, CSV)}"` : escape(x, TSV);
        break;
      default:
        if (x !== null) typeFail(x, 'is not valid in a csv row');
    }
  }
  return out;
}

function shell(v: Value): string {
  const items = Array.isArray(v) ? v : [v];
  let out = '';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ' ';
    const x = items[i]!;
    if (typeof x === 'string') out += `'${escape(x, SH)}'`;
    else if (x !== null && typeof x === 'object') typeFail(x, 'can not be escaped for shell');
    else out += dumpJson(x);
  }
  return out;
}

const HEX = '0123456789ABCDEF';
const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

function uriEncode(s: string): string {
  if (UNRESERVED.test(s)) return s;
  let out = '';
  for (const b of utf8.encode(s)) {
    const keep =
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e;
    out += keep ? String.fromCharCode(b) : '%' + HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function uriDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes = utf8.encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x25) {
      out[n++] = b;
      continue;
    }
    const hi = i + 1 < bytes.length ? hexDigit(bytes[i + 1]!) : -1;
    const lo = i + 2 < bytes.length ? hexDigit(bytes[i + 2]!) : -1;
    if (hi < 0 || lo < 0) typeFail(s, 'is not a valid uri encoding');
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  try {
    return strictUtf8.decode(out.subarray(0, n));
  } catch {
    return typeFail(s, 'is not a valid uri encoding');
  }
}

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64 = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64[B64_ALPHABET.charCodeAt(i)] = i;

function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < n ? bytes[i + 1]! : 0;
    const c = i + 2 < n ? bytes[i + 2]! : 0;
    const code = (a << 16) | (b << 8) | c;
    chunk +=
      B64_ALPHABET[code >> 18]! +
      B64_ALPHABET[(code >> 12) & 63]! +
      (i + 1 < n ? B64_ALPHABET[(code >> 6) & 63]! : '=') +
      (i + 2 < n ? B64_ALPHABET[code & 63]! : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** jq's decoder: stops at the first `=`, needs no padding, rejects any other character. */
function base64Decode(s: string): string {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4) + 3);
  let n = 0;
  let code = 0;
  let pending = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d) break;
    const d = c < 128 ? B64[c]! : -1;
    if (d < 0) typeFail(s, 'is not valid base64 data');
    code = (code << 6) | d;
    if (++pending === 4) {
      out[n++] = (code >> 16) & 0xff;
      out[n++] = (code >> 8) & 0xff;
      out[n++] = code & 0xff;
      pending = 0;
      code = 0;
    }
  }
  if (pending === 3) {
    out[n++] = (code >> 10) & 0xff;
    out[n++] = (code >> 2) & 0xff;
  } else if (pending === 2) {
    out[n++] = (code >> 4) & 0xff;
  } else if (pending === 1) {
    typeFail(s, 'trailing base64 byte found');
  }
  return decodeUtf8(out.subarray(0, n));
}

const B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(s: string): string {
  const bytes = utf8.encode(s);
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32_ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += B32_ALPHABET[(acc << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** RFC 4648 base32, read like jq reads base64: up to the first `=`, padding optional. */
function base32Decode(s: string): string {
  const out = new Uint8Array(Math.floor((s.length * 5) / 8) + 1);
  let n = 0;
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d) break;
    const d = c >= 0x41 && c <= 0x5a ? c - 0x41 : c >= 0x32 && c <= 0x37 ? c - 0x18 : -1;
    if (d < 0) typeFail(s, 'is not valid base32 data');
    acc = ((acc << 5) | d) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return decodeUtf8(out.subarray(0, n));
}

/** Bytes to text; invalid UTF-8 becomes U+FFFD per bad sequence, as jq's jvp_utf8_next sees it. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return repairUtf8(bytes);
  }
}

const FIRST_CODEPOINT = [0, 0, 0x80, 0x800, 0x10000];

function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b < 0xc2) return 0;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  if (b < 0xf5) return 4;
  return 0;
}

function repairUtf8(bytes: Uint8Array): string {
  const cps: number[] = [];
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i]!;
    let len = sequenceLength(first);
    let cp = -1;
    if (len === 1) {
      cp = first;
    } else if (len === 0) {
      len = 1;
    } else if (i + len > bytes.length) {
      len = bytes.length - i;
    } else {
      cp = first & (0xff >> (len + 1));
      for (let k = 1; k < len; k++) {
        const c = bytes[i + k]!;
        if ((c & 0xc0) !== 0x80) {
          cp = -1;
          len = k;
          break;
        }
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp !== -1 && (cp < FIRST_CODEPOINT[len]! || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)) {
        cp = -1;
      }
    }
    cps.push(cp < 0 ? 0xfffd : cp);
    if (cps.length >= 4096) {
      out += String.fromCodePoint(...cps);
      cps.length = 0;
    }
    i += len;
  }
  return out + String.fromCodePoint(...cps);
}

export const formatBuiltins: BuiltinModule = {
  natives: {
    'format/1': (v, fmt) => {
      if (typeof fmt !== 'string') typeFail(fmt, 'is not a valid format');
      return applyFormat(fmt, v);
    },
  },
  jq: '',
};
