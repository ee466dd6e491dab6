/**
 * jq 1.8's JSON text parser (`fromjson`, `tonumber`, test harnesses).
 *
 * Valid JSON goes through `JSON.parse`. Anything it rejects, or where it would disagree with
 * jq (lone surrogate escapes, nesting past jq's limit), goes through a port of jq's own
 * byte-at-a-time parser (src/jv_parse.c), so that jq's extensions (`nan`, `+1`, `01`, a
 * leading BOM) work and every error message, line and column matches jq's.
 */
import { JqRuntimeError } from './errors.js';
import type { JsonObject, Value } from './values.js';
import { setKey } from './values.js';

/** jq's MAX_PARSING_DEPTH: containers (and pending object keys) on the parser's stack. */
const MAX_PARSING_DEPTH = 10000;

/** Parses one JSON text as jq does; throws a JqRuntimeError worded like jq's otherwise. */
export function parseJson(text: string): Value {
  if (!text.includes('\\u') || !SURROGATE_ESCAPE.test(text)) {
    let v: Value | undefined;
    try {
      v = JSON.parse(text) as Value;
    } catch {
      v = undefined;
    }
    if (v !== undefined && (text.length <= MAX_PARSING_DEPTH || !exceedsDepth(v))) return v;
  }
  return parseSlow(text);
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const NUMBER_LITERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_LITERAL = /^([+-]?)(?:(inf|infinity)|s?nan0*)$/i;

/**
 * A number literal as jq 1.8 reads it (decNumber's syntax): optional sign, digits with an
 * optional point, optional exponent; also `nan`, `infinity` and `inf` in any case.
 * Returns undefined when the text is not a number.
 */
export function parseNumberLiteral(s: string): number | undefined {
  if (NUMBER_LITERAL.test(s)) return Number(s);
  const m = SPECIAL_LITERAL.exec(s);
  if (m === null) return undefined;
  if (m[2] === undefined) return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

/** True when some container sits deeper than jq's parser accepts. */
function exceedsDepth(root: Value): boolean {
  const values: Value[] = [root];
  const levels: number[] = [0];
  while (values.length > 0) {
    const v = values.pop()!;
    const level = levels.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (level >= MAX_PARSING_DEPTH) return true;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x !== null && typeof x === 'object') {
          values.push(x);
          levels.push(level + 1);
        }
      }
    } else {
      for (const k in v) {
        const x = v[k]!;
        if (x !== null && typeof x === 'object') {
          values.push(x);
          // jq keeps the key on its stack while parsing the value.
          levels.push(level + 2);
        }
      }
    }
  }
  return false;
}

function parseSlow(text: string): Value {
  const p = new Parser(text);
  let result = p.next();
  if (result.kind === 'value') {
    const extra = p.next();
    if (extra.kind === 'value') result = { kind: 'error', message: 'Unexpected extra JSON values' };
    else if (extra.kind === 'error') result = extra;
  } else if (result.kind === 'none') {
    result = { kind: 'error', message: 'Expected JSON value' };
  }
  if (result.kind === 'value') return result.value;
  // jq prints the text with %.*s, which stops at the first NUL.
  const nul = text.indexOf('\u0000');
  const shown = nul < 0 ? text : text.slice(0, nul);
  throw new JqRuntimeError(`${result.message} (while parsing '${shown}')`);
}

type Step =
  | { kind: 'value'; value: Value }
  | { kind: 'error'; message: string }
  | { kind: 'none' };

type Frame = Value[] | JsonObject | string;

const enum State {
  Normal,
  String,
  StringEscape,
}

/** A value was completed at the top level; the scan stops to hand it out. */
const DONE = '';

class Parser {
  private pos = 0;
  private eof = false;
  private dead = false;
  private line = 1;
  private column = 0;
  private state = State.Normal;
  private readonly stack: Frame[] = [];
  private hasNext = false;
  private nextValue: Value = null;
  /** Start of the pending literal token or string body, or -1. */
  private tokenStart = -1;
  private out: Value = null;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  next(): Step {
    if (this.eof || this.dead) return { kind: 'none' };
    const text = this.text;
    const n = text.length;
    let msg: string | null = null;
    while (msg === null && this.pos < n) {
      const i = this.pos++;
      msg = this.scan(text.charCodeAt(i), i);
    }
    if (msg === DONE) return { kind: 'value', value: this.takeOut() };
    if (msg !== null) {
      this.dead = true;
      return { kind: 'error', message: `${msg} at line ${this.line}, column ${this.column}` };
    }
    this.eof = true;
    if (this.state !== State.Normal) {
      return { kind: 'error', message: `Unfinished string at EOF at line ${this.line}, column ${this.column}` };
    }
    const lit = this.checkLiteral(n);
    if (lit !== null) {
      return { kind: 'error', message: `${lit} at EOF at line ${this.line}, column ${this.column}` };
    }
    if (this.stack.length > 0) {
      return {
        kind: 'error',
        message: `Unfinished JSON term at EOF at line ${this.line}, column ${this.column}`,
      };
    }
    if (!this.hasNext) return { kind: 'none' };
    this.hasNext = false;
    return { kind: 'value', value: this.nextValue };
  }

  private takeOut(): Value {
    const v = this.out;
    this.out = null;
    return v;
  }

  /** One character of input; returns an error message, DONE, or null to go on. */
  private scan(c: number, i: number): string | null {
    // jq counts columns in UTF-8 bytes; a surrogate pair is four bytes, two per half.
    this.column += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
    if (c === 10) {
      this.line++;
      this.column = 0;
    }
    if (this.state !== State.Normal) {
      if (c === 34 && this.state === State.String) {
        const err = this.foundString(this.text.slice(this.tokenStart, i));
        if (err !== null) return err;
        this.tokenStart = -1;
        this.state = State.Normal;
        return this.checkDone() ? DONE : null;
      }
      this.state = c === 92 && this.state === State.String ? State.StringEscape : State.String;
      return null;
    }
    let answer: string | null = null;
    const literal = !(c === 32 || c === 9 || c === 13 || c === 10 || c === 34 || isStructure(c));
    if (literal) {
      if (this.tokenStart < 0) this.tokenStart = i;
      return null;
    }
    const err = this.checkLiteral(i);
    if (err !== null) return err;
    if (this.checkDone()) answer = DONE;
    if (c === 34) {
      this.state = State.String;
      this.tokenStart = i + 1;
    } else if (isStructure(c)) {
      const e = this.token(c);
      if (e !== null) return e;
    }
    if (this.checkDone()) answer = DONE;
    return answer;
  }

  private checkDone(): boolean {
    if (this.stack.length === 0 && this.hasNext) {
      this.out = this.nextValue;
      this.hasNext = false;
      this.nextValue = null;
      return true;
    }
    return false;
  }

  private value(v: Value): string | null {
    if (this.hasNext) return 'Expected separator between values';
    this.nextValue = v;
    this.hasNext = true;
    return null;
  }

  private checkLiteral(end: number): string | null {
    if (this.tokenStart < 0) return null;
    const tok = this.text.slice(this.tokenStart, end);
    this.tokenStart = -1;
    let v: Value;
    const first = tok.charCodeAt(0);
    if (first === 116 /* t */) {
      if (tok !== 'true') return 'Invalid literal';
      v = true;
    } else if (first === 102 /* f */) {
      if (tok !== 'false') return 'Invalid literal';
      v = false;
    } else if (first === 39 /* ' */) {
      return "Invalid string literal; expected \", but got '";
    } else if (first === 110 /* n */ && tok.charCodeAt(1) === 117 /* u */) {
      if (tok !== 'null') return 'Invalid literal';
      v = null;
    } else {
      // decNumber reads the token as a C string, so it ends at a NUL.
      const nul = tok.indexOf('\u0000');
      const num = parseNumberLiteral(nul < 0 ? tok : tok.slice(0, nul));
      if (num === undefined) return 'Invalid numeric literal';
      v = num;
    }
    return this.value(v);
  }

  private token(c: number): string | null {
    const stack = this.stack;
    const top = stack.length > 0 ? stack[stack.length - 1]! : undefined;
    switch (c) {
      case 91: // [
      case 123: // {
        if (stack.length >= MAX_PARSING_DEPTH) return 'Exceeds depth limit for parsing';
        if (this.hasNext) return 'Expected separator between values';
        stack.push(c === 91 ? [] : {});
        return null;
      case 58: // :
        if (!this.hasNext) return "Expected string key before ':'";
        if (top === undefined || typeof top === 'string' || Array.isArray(top)) {
          return "':' not as part of an object";
        }
        if (typeof this.nextValue !== 'string') return 'Object keys must be strings';
        stack.push(this.nextValue);
        this.hasNext = false;
        return null;
      case 44: // ,
        if (!this.hasNext) return "Expected value before ','";
        if (top === undefined) return "',' not as part of an object or array";
        if (Array.isArray(top)) {
          top.push(this.nextValue);
        } else if (typeof top === 'string') {
          setKey(stack[stack.length - 2] as JsonObject, top, this.nextValue);
          stack.pop();
        } else {
          return 'Objects must consist of key:value pairs';
        }
        this.hasNext = false;
        return null;
      case 93: // ]
        if (top === undefined || !Array.isArray(top)) return "Unmatched ']'";
        if (this.hasNext) top.push(this.nextValue);
        else if (top.length !== 0) return 'Expected another array element';
        stack.pop();
        this.nextValue = top;
        this.hasNext = true;
        return null;
      default: {
        // }
        if (top === undefined) return "Unmatched '}'";
        if (this.hasNext) {
          if (typeof top !== 'string') return 'Objects must consist of key:value pairs';
          setKey(stack[stack.length - 2] as JsonObject, top, this.nextValue);
          stack.pop();
        } else {
          if (typeof top === 'string' || Array.isArray(top)) return "Unmatched '}'";
          if (!isEmptyObject(top)) return 'Expected another key-value pair';
        }
        this.nextValue = stack.pop()!;
        this.hasNext = true;
        return null;
      }
    }
  }

  private foundString(body: string): string | null {
    let out = '';
    let from = 0;
    const n = body.length;
    for (let i = 0; i < n; i++) {
      const c = body.charCodeAt(i);
      if (c === 92) {
        out += body.slice(from, i);
        if (++i >= n) return 'Expected escape character at end of string';
        const e = body.charCodeAt(i);
        switch (e) {
          case 92:
          case 34:
          case 47:
            out += body[i];
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 116:
            out += '\t';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 117: {
            if (i + 4 >= n) return 'Invalid \\uXXXX escape';
            let cp = unhex4(body, i + 1);
            if (cp < 0) return 'Invalid characters in \\uXXXX escape';
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
              if (i + 6 >= n || body.charCodeAt(i + 1) !== 92 || body.charCodeAt(i + 2) !== 117) {
                return 'Invalid \\uXXXX\\uXXXX surrogate pair escape';
              }
              const low = unhex4(body, i + 3);
              if (low < 0xdc00 || low > 0xdfff) return 'Invalid \\uXXXX\\uXXXX surrogate pair escape';
              i += 6;
              cp = 0x10000 + (((cp - 0xd800) << 10) | (low - 0xdc00));
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
              // jq encodes a lone low surrogate as invalid UTF-8, then repairs it.
              cp = 0xfffd;
            }
            out += String.fromCodePoint(cp);
            break;
          }
          default:
            return 'Invalid escape';
        }
        from = i + 1;
      } else if (c <= 0x1f) {
        return 'Invalid string: control characters from U+0000 through U+001F must be escaped';
      }
    }
    out += body.slice(from);
    return this.value(out);
  }
}

function isStructure(c: number): boolean {
  return c === 91 || c === 93 || c === 123 || c === 125 || c === 44 || c === 58;
}

function isEmptyObject(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

function unhex4(s: string, at: number): number {
  let r = 0;
  for (let i = at; i < at + 4; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    r = (r << 4) | d;
  }
  return r;
}
