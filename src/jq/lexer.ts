import { JqCompileError } from './errors.js';

export type TokenKind =
  | 'eof'
  | 'punct'
  | 'field'
  | 'ident'
  | 'keyword'
  | 'var'
  | 'number'
  | 'format'
  | 'quote';

export interface Token {
  kind: TokenKind;
  /** Punctuation text, identifier, field or variable name (without `.`/`$`), keyword, format name. */
  text: string;
  value: number;
  start: number;
  end: number;
}

export const KEYWORDS = new Set([
  '__loc__',
  'and',
  'as',
  'break',
  'catch',
  'def',
  'elif',
  'else',
  'end',
  'foreach',
  'if',
  'import',
  'include',
  'label',
  'module',
  'or',
  'reduce',
  'then',
  'try',
]);

// Longest first, so that `//=` wins over `//` and `/`.
const PUNCTUATION = [
  '?//',
  '//=',
  '|=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '==',
  '!=',
  '<=',
  '>=',
  '//',
  '..',
  '.',
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  '|',
  ',',
  ':',
  ';',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  '$',
];

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function positionOf(src: string, offset: number): { offset: number; line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  return { offset, line, column: col };
}

export function compileError(src: string, offset: number, message: string): JqCompileError {
  return new JqCompileError(message, positionOf(src, offset));
}

/** Skips whitespace and comments (a comment ends at a newline not preceded by an odd run of backslashes). */
export function skipSpace(src: string, pos: number): number {
  for (;;) {
    const c = src.charCodeAt(pos);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      pos++;
    } else if (c === 35) {
      pos++;
      while (pos < src.length) {
        const d = src.charCodeAt(pos);
        if (d === 10) break;
        if (d === 92 && pos + 1 < src.length) {
          pos += 2;
          continue;
        }
        if (d === 13 && src.charCodeAt(pos + 1) !== 10) break;
        pos++;
      }
    } else {
      return pos;
    }
  }
}

/** Reads one token at `pos` (already past whitespace). Strings are read by the parser. */
export function lexToken(src: string, pos: number): Token {
  const start = pos;
  if (pos >= src.length) return { kind: 'eof', text: '', value: 0, start, end: pos };
  const c = src.charCodeAt(pos);
  if (c === 34) return { kind: 'quote', text: '"', value: 0, start, end: pos + 1 };
  if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(pos + 1)))) {
    let p = pos;
    while (isDigit(src.charCodeAt(p))) p++;
    if (src.charCodeAt(p) === 46) {
      p++;
      while (isDigit(src.charCodeAt(p))) p++;
    }
    const e = src.charCodeAt(p);
    if (e === 101 || e === 69) {
      let q = p + 1;
      const s = src.charCodeAt(q);
      if (s === 43 || s === 45) q++;
      if (isDigit(src.charCodeAt(q))) {
        while (isDigit(src.charCodeAt(q))) q++;
        p = q;
      }
    }
    const text = src.slice(pos, p);
    return { kind: 'number', text, value: Number(text), start, end: p };
  }
  if (c === 46 && isIdentStart(src.charCodeAt(pos + 1))) {
    let p = pos + 1;
    while (isIdentPart(src.charCodeAt(p))) p++;
    return { kind: 'field', text: src.slice(pos + 1, p), value: 0, start, end: p };
  }
  if (c === 36 && isIdentStart(src.charCodeAt(pos + 1))) {
    let p = pos + 1;
    while (isIdentPart(src.charCodeAt(p))) p++;
    while (src.startsWith('::', p) && isIdentStart(src.charCodeAt(p + 2))) {
      p += 2;
      while (isIdentPart(src.charCodeAt(p))) p++;
    }
    return { kind: 'var', text: src.slice(pos + 1, p), value: 0, start, end: p };
  }
  if (c === 64 && isIdentPart(src.charCodeAt(pos + 1))) {
    let p = pos + 1;
    while (isIdentPart(src.charCodeAt(p))) p++;
    return { kind: 'format', text: src.slice(pos + 1, p), value: 0, start, end: p };
  }
  if (isIdentStart(c)) {
    let p = pos;
    while (isIdentPart(src.charCodeAt(p))) p++;
    while (src.startsWith('::', p) && isIdentStart(src.charCodeAt(p + 2))) {
      p += 2;
      while (isIdentPart(src.charCodeAt(p))) p++;
    }
    const text = src.slice(pos, p);
    return { kind: KEYWORDS.has(text) ? 'keyword' : 'ident', text, value: 0, start, end: p };
  }
  for (const p of PUNCTUATION) {
    if (src.startsWith(p, pos)) return { kind: 'punct', text: p, value: 0, start, end: pos + p.length };
  }
  throw compileError(src, pos, `syntax error, unexpected INVALID_CHARACTER ${JSON.stringify(src[pos])}`);
}
