/**
 * jq's regular-expression builtins: `_match_impl` (jq's f_match) over Oniguruma patterns
 * translated to JavaScript, plus match/test/capture/scan/split/splits/sub/gsub written in jq
 * the way jq 1.8's builtin.jq writes them.
 */
import type { BuiltinModule, NativeTable } from './types.js';
import type { JsonObject, Value } from '../values.js';
import { setKey } from '../values.js';
import { fail, typeFail } from '../errors.js';
import { RegexSyntaxError, translateRegex } from './regex-translate.js';

interface CompiledRegex {
  pattern: string;
  re: RegExp;
  jsFlags: string;
  names: (string | null)[];
  jsIndex: number[][];
  /** For jq's `n` flag; built on first use, as most patterns never need it. */
  notEmpty: (() => { source: string; jsIndex: number[][] }) | { re: RegExp; jsIndex: number[][] };
}

/** One match and the map from Oniguruma groups to the JS groups of the RegExp that found it. */
interface Found {
  m: RegExpExecArray;
  jsIndex: number[][];
}

interface Flags {
  global: boolean;
  ignoreCase: boolean;
  extended: boolean;
  dotAll: boolean;
  notEmpty: boolean;
}

const CACHE_LIMIT = 256;
const cache = new Map<string, CompiledRegex>();

function parseFlags(modifiers: Value): Flags {
  const f: Flags = { global: false, ignoreCase: false, extended: false, dotAll: false, notEmpty: false };
  if (modifiers === null) return f;
  if (typeof modifiers !== 'string') typeFail(modifiers, 'is not a string');
  for (const c of modifiers) {
    switch (c) {
      case 'g':
        f.global = true;
        break;
      case 'i':
        f.ignoreCase = true;
        break;
      case 'x':
        f.extended = true;
        break;
      case 'n':
        f.notEmpty = true;
        break;
      case 'p':
        f.dotAll = true;
        break;
      // `s` is Oniguruma's SINGLELINE, already on in the Perl syntax jq uses; `l` (longest
      // match) has no JavaScript equivalent and is accepted without effect.
      case 's':
      case 'l':
        break;
      default:
        fail(`${modifiers} is not a valid modifier string`);
    }
  }
  return f;
}

/** Rethrows a failure to build a RegExp as jq's error for an invalid pattern. */
function invalidRegex(pattern: string, e: unknown): never {
  if (e instanceof RegexSyntaxError) fail(`${pattern} (at offset 0) is not a valid regex: ${e.reason}`);
  if (e instanceof SyntaxError) {
    const reason = e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    fail(`${pattern} (at offset 0) is not a valid regex: ${reason}`);
  }
  throw e;
}

function compile(pattern: string, f: Flags): CompiledRegex {
  const key = `${f.ignoreCase ? 'i' : ''}${f.extended ? 'x' : ''}${f.dotAll ? 'p' : ''}/${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let compiled: CompiledRegex;
  try {
    const t = translateRegex(pattern, { ignoreCase: f.ignoreCase, extended: f.extended, dotAll: f.dotAll });
    const jsFlags = `gdv${t.flags}`;
    const re = new RegExp(t.source, jsFlags);
    compiled = { pattern, re, jsFlags, names: t.names, jsIndex: t.jsIndex, notEmpty: t.notEmpty };
  } catch (e) {
    invalidRegex(pattern, e);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Converts UTF-16 indices of one string into code point offsets, as jq reports them. */
class CodePointIndex {
  private table: Uint32Array | null = null;
  private readonly plain: boolean;

  constructor(private readonly s: string) {
    this.plain = !/[\uD800-\uDFFF]/.test(s);
  }

  at(i: number): number {
    if (this.plain) return i;
    if (this.table === null) {
      const t = new Uint32Array(this.s.length + 1);
      let cp = 0;
      for (let k = 0; k < this.s.length; k++) {
        t[k] = cp;
        const c = this.s.charCodeAt(k);
        if (!(c >= 0xd800 && c <= 0xdbff && k + 1 < this.s.length)) cp++;
        else {
          const d = this.s.charCodeAt(k + 1);
          if (!(d >= 0xdc00 && d <= 0xdfff)) cp++;
        }
      }
      t[this.s.length] = cp;
      this.table = t;
    }
    return this.table[i]!;
  }
}

/** A match as jq reports it: offsets and lengths in code points, unset groups at -1. */
function matchObject(input: string, { m, jsIndex }: Found, names: (string | null)[], cpi: CodePointIndex): JsonObject {
  const start = m.index;
  const end = start + m[0].length;
  const offset = cpi.at(start);
  const captures: Value[] = [];
  const indices = m.indices!;
  for (let g = 0; g < names.length; g++) {
    let span: [number, number] | undefined;
    for (const js of jsIndex[g]!) span = indices[js] ?? span;
    const name = names[g]!;
    if (span === undefined) {
      captures.push({ offset: -1, string: null, length: 0, name });
    } else {
      const a = cpi.at(span[0]);
      captures.push({ offset: a, length: cpi.at(span[1]) - a, string: input.slice(span[0], span[1]), name });
    }
  }
  return { offset, length: cpi.at(end) - offset, string: m[0], captures };
}

/** The next match at or after `from` (a UTF-16 index), honouring jq's `n` flag. */
function search(input: string, c: CompiledRegex, from: number, notEmpty: boolean): Found | null {
  c.re.lastIndex = from;
  const m = c.re.exec(input);
  if (m === null) return null;
  if (!notEmpty || m[0].length > 0) return { m, jsIndex: c.jsIndex };
  // Only now pay for the wrapped pattern: nothing matches before m.index, so its leftmost
  // non-empty match cannot start earlier either.
  if (typeof c.notEmpty === 'function') {
    try {
      const t = c.notEmpty();
      c.notEmpty = { re: new RegExp(t.source, c.jsFlags), jsIndex: t.jsIndex };
    } catch (e) {
      invalidRegex(c.pattern, e);
    }
  }
  const ne = c.notEmpty;
  ne.re.lastIndex = m.index;
  const m2 = ne.re.exec(input);
  return m2 === null ? null : { m: m2, jsIndex: ne.jsIndex };
}

function checkArgs(input: Value, regex: Value, modifiers: Value): { s: string; c: CompiledRegex; flags: Flags } {
  if (typeof input !== 'string') typeFail(input, 'cannot be matched, as it is not a string');
  if (typeof regex !== 'string') typeFail(regex, 'is not a string');
  const flags = parseFlags(modifiers);
  return { s: input, c: compile(regex, flags), flags };
}

/** Every match in order (only the first without `g`), as jq's f_match walks them. */
function allMatches(s: string, c: CompiledRegex, flags: Flags): Found[] {
  const out: Found[] = [];
  let from = 0;
  while (from <= s.length) {
    const found = search(s, c, from, flags.notEmpty);
    if (found === null) break;
    out.push(found);
    if (!flags.global) break;
    const { m } = found;
    const end = m.index + m[0].length;
    if (end > m.index) {
      from = end;
    } else {
      // After an empty match, move one whole code point on (jq 1.8: `"ab"|match("";"g")` is 3).
      const cp = s.codePointAt(end);
      from = end + (cp !== undefined && cp > 0xffff ? 2 : 1);
    }
  }
  return out;
}

/** jq's f_match: an array of match objects, or (testmode) whether there is a match. */
export function matchImpl(input: Value, regex: Value, modifiers: Value, testmode: Value): Value {
  const { s, c, flags } = checkArgs(input, regex, modifiers);
  if (testmode === true) return search(s, c, 0, flags.notEmpty) !== null;
  const cpi = new CodePointIndex(s);
  return allMatches(s, c, flags).map((found) => matchObject(s, found, c.names, cpi));
}

/** The object `capture` builds from one match: named groups only, later names win. */
function captureObject(match: Value): Value {
  const out: JsonObject = {};
  if (match === null || typeof match !== 'object' || Array.isArray(match)) return out;
  const caps = match.captures;
  if (!Array.isArray(caps)) return out;
  for (const cap of caps) {
    if (cap === null || typeof cap !== 'object' || Array.isArray(cap)) continue;
    const name = cap.name;
    if (typeof name === 'string') setKey(out, name, cap.string ?? null);
  }
  return out;
}

/** `split($re; flags)`: the pieces of the input between the matches. */
function splitImpl(input: Value, regex: Value, modifiers: Value): Value {
  const { s, c, flags } = checkArgs(input, regex, modifiers);
  const out: Value[] = [];
  let prev = 0;
  for (const { m } of allMatches(s, c, flags)) {
    out.push(s.slice(prev, Math.max(m.index, prev)));
    prev = m.index + m[0].length;
  }
  out.push(s.slice(prev));
  return out;
}

const natives: NativeTable = {
  '_match_impl/3': matchImpl,
  '_regex_captures/0': captureObject,
  '_regex_split/2': splitImpl,
};

const jq = `
def match(re; mode): _match_impl(re; mode; false) | .[];
def match($val): ($val | type) as $vt
  | if $vt == "string" then match($val; null)
    elif $vt == "array" and ($val | length) > 1 then match($val[0]; $val[1])
    elif $vt == "array" and ($val | length) > 0 then match($val[0]; null)
    else error($vt + " not a string or array") end;
def test(re; mode): _match_impl(re; mode; true);
def test($val): ($val | type) as $vt
  | if $vt == "string" then test($val; null)
    elif $vt == "array" and ($val | length) > 1 then test($val[0]; $val[1])
    elif $vt == "array" and ($val | length) > 0 then test($val[0]; null)
    else error($vt + " not a string or array") end;
def capture(re; mods): match(re; mods) | _regex_captures;
def capture($val): ($val | type) as $vt
  | if $vt == "string" then capture($val; null)
    elif $vt == "array" and ($val | length) > 1 then capture($val[0]; $val[1])
    elif $vt == "array" and ($val | length) > 0 then capture($val[0]; null)
    else error($vt + " not a string or array") end;
def scan($re; $flags):
  match($re; "g" + $flags)
  | if (.captures | length) > 0 then [.captures[] | .string] else .string end;
def scan($re): scan($re; null);
def split($re; flags): _regex_split($re; "g" + flags);
def splits($re; flags): split($re; flags) | .[];
def splits($re): splits($re; null);
def sub($re; str; $flags): . as $in
  | (reduce match($re; $flags) as $edit ({result: [], previous: 0};
        $in[.previous:($edit | .offset)] as $gap
        | [$edit | _regex_captures | str] as $inserts
        | reduce range(0; $inserts | length) as $ix (.; .result[$ix] += $gap + $inserts[$ix])
        | .previous = ($edit | .offset + .length))
     | .result[] + $in[.previous:])
    // $in;
def sub($re; str): sub($re; str; "");
def gsub($re; str; $flags): sub($re; str; $flags + "g");
def gsub($re; str): sub($re; str; "g");
`;

export const regexBuiltins: BuiltinModule = { natives, jq };
