/**
 * Finding `jq(...)` in template strings (language reference §5). Shared by the validator, which
 * compiles every expression it finds, and by the evaluator, so both see the same expressions.
 *
 * The closing parenthesis is found by counting parentheses in jq code, skipping jq string
 * literals (with their escapes, and `\(...)` interpolations, which are code again) and jq
 * comments, so `jq("a)" + (.b | tostring))` is one expression.
 */
import { compile, type JqProgram } from '../jq/index.js';

/** A template string, classified. */
export type TemplateString =
  /** no `jq(`: the string itself */
  | { kind: 'literal' }
  /** exactly one `jq(EXPR)`, possibly surrounded by whitespace: EXPR's result, any JSON type */
  | { kind: 'query'; expr: string }
  /** text and expressions: a string with each result inserted */
  | { kind: 'interpolated'; parts: (string | { expr: string })[] };

/** A `jq(` without its closing parenthesis. `offset` is where the `jq(` starts. */
export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
  constructor(readonly offset: number) {
    super(`unterminated jq( at character ${offset + 1}: its closing ")" is missing`);
  }
}

const OPEN = 'jq(';

export function parseTemplateString(text: string): TemplateString {
  let at = text.indexOf(OPEN);
  if (at < 0) return { kind: 'literal' };
  const parts: (string | { expr: string })[] = [];
  let textStart = 0;
  while (at >= 0) {
    const close = findClose(text, at + OPEN.length);
    if (close < 0) throw new TemplateSyntaxError(at);
    if (at > textStart) parts.push(text.slice(textStart, at));
    parts.push({ expr: text.slice(at + OPEN.length, close) });
    textStart = close + 1;
    at = text.indexOf(OPEN, textStart);
  }
  if (textStart < text.length) parts.push(text.slice(textStart));

  const only = parts.filter((p) => typeof p !== 'string' || p.trim() !== '');
  if (only.length === 1 && typeof only[0] !== 'string') return { kind: 'query', expr: only[0]!.expr };
  return { kind: 'interpolated', parts };
}

/** Index of the `)` that closes jq code starting at `pos`, or -1. */
function findClose(text: string, pos: number): number {
  let depth = 0;
  while (pos < text.length) {
    const c = text[pos]!;
    if (c === '"') {
      pos = skipString(text, pos + 1);
      if (pos < 0) return -1;
      continue;
    }
    if (c === '#') {
      const eol = text.indexOf('\n', pos);
      if (eol < 0) return -1;
      pos = eol + 1;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return pos;
      depth--;
    }
    pos++;
  }
  return -1;
}

/** Index just after the `"` that ends a jq string whose body starts at `pos`, or -1. */
function skipString(text: string, pos: number): number {
  while (pos < text.length) {
    const c = text[pos]!;
    if (c === '"') return pos + 1;
    if (c === '\\') {
      if (text[pos + 1] === '(') {
        const close = findClose(text, pos + 2);
        if (close < 0) return -1;
        pos = close + 1;
      } else {
        pos += 2;
      }
      continue;
    }
    pos++;
  }
  return -1;
}

/** An expression as written, shortened for messages. */
export function quoteExpression(expr: string): string {
  const flat = expr.replace(/\s+/g, ' ').trim();
  return `jq(${flat.length > 80 ? `${flat.slice(0, 77)}...` : flat})`;
}

/** Compiles an embedded expression. An empty one is `.`, as an empty program is for jq itself. */
export function compileExpression(expr: string, variables: readonly string[] = []): JqProgram {
  return compile(expr.trim() === '' ? '.' : expr, { variables });
}
