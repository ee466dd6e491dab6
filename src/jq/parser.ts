import type { AssignOp, BinaryOp, FuncDef, Node, ObjectEntry, ObjectPatternEntry, Pattern } from './ast.js';
import { compileError, KEYWORDS, lexToken, skipSpace, type Token } from './lexer.js';
import { describe } from './errors.js';

/** Parses a whole jq program (a pipeline, optionally preceded by function definitions). */
export function parse(src: string): Node {
  const p = new Parser(src);
  const node = p.parsePipe();
  const t = p.peek();
  if (t.kind !== 'eof') throw p.unexpected(t);
  return node;
}

/** Parses a sequence of definitions (`def a: ...; def b: ...;`), as in the builtin library. */
export function parseDefs(src: string): FuncDef[] {
  const p = new Parser(src);
  const defs: FuncDef[] = [];
  while (p.isKeyword('def')) defs.push(p.parseFuncDef());
  const t = p.peek();
  if (t.kind !== 'eof') throw p.unexpected(t);
  return defs;
}

const BINARY: Record<string, { prec: number; assoc: 'left' | 'right' | 'none' }> = {
  ',': { prec: 1, assoc: 'left' },
  '//': { prec: 2, assoc: 'right' },
  '=': { prec: 3, assoc: 'none' },
  '|=': { prec: 3, assoc: 'none' },
  '+=': { prec: 3, assoc: 'none' },
  '-=': { prec: 3, assoc: 'none' },
  '*=': { prec: 3, assoc: 'none' },
  '/=': { prec: 3, assoc: 'none' },
  '%=': { prec: 3, assoc: 'none' },
  '//=': { prec: 3, assoc: 'none' },
  or: { prec: 4, assoc: 'left' },
  and: { prec: 5, assoc: 'left' },
  '==': { prec: 6, assoc: 'none' },
  '!=': { prec: 6, assoc: 'none' },
  '<': { prec: 6, assoc: 'none' },
  '<=': { prec: 6, assoc: 'none' },
  '>': { prec: 6, assoc: 'none' },
  '>=': { prec: 6, assoc: 'none' },
  '+': { prec: 7, assoc: 'left' },
  '-': { prec: 7, assoc: 'left' },
  '*': { prec: 8, assoc: 'left' },
  '/': { prec: 8, assoc: 'left' },
  '%': { prec: 8, assoc: 'left' },
};
const UNARY_MINUS_PREC = 8;
const AS_PREC = 3;
const OBJECT_VALUE_PREC = 2;
const MAX_NESTING = 512;

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser {
  private pos = 0;
  private tok: Token | null = null;
  private depth = 0;

  constructor(private readonly src: string) {}

  peek(): Token {
    if (this.tok === null) {
      this.pos = skipSpace(this.src, this.pos);
      this.tok = lexToken(this.src, this.pos);
    }
    return this.tok;
  }

  private next(): Token {
    const t = this.peek();
    this.pos = t.end;
    this.tok = null;
    return t;
  }

  unexpected(t: Token): Error {
    const what = t.kind === 'eof' ? 'end of file' : this.src.slice(t.start, t.end);
    return compileError(this.src, t.start, `syntax error, unexpected ${what === '' ? 'end of file' : JSON.stringify(what)}`);
  }

  private error(at: number, message: string): Error {
    return compileError(this.src, at, message);
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  isKeyword(text: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === text;
  }

  private expectPunct(text: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== text) {
      throw compileError(
        this.src,
        t.start,
        `syntax error, unexpected ${t.kind === 'eof' ? 'end of file' : JSON.stringify(this.src.slice(t.start, t.end))}, expecting ${JSON.stringify(text)}`,
      );
    }
    return this.next();
  }

  private expectKeyword(text: string): void {
    if (!this.isKeyword(text)) {
      const t = this.peek();
      throw compileError(
        this.src,
        t.start,
        `syntax error, unexpected ${t.kind === 'eof' ? 'end of file' : JSON.stringify(this.src.slice(t.start, t.end))}, expecting ${text}`,
      );
    }
    this.next();
  }

  private enter(at: number): void {
    if (++this.depth > MAX_NESTING) throw this.error(at, `program nested too deeply (over ${MAX_NESTING} levels)`);
  }

  /** Exp at the lowest precedence: `def`s, `label`, and right-associative pipes. */
  parsePipe(): Node {
    const t = this.peek();
    this.enter(t.start);
    try {
      if (t.kind === 'keyword' && t.text === 'def') {
        const def = this.parseFuncDef();
        return { kind: 'funcdef', def, body: this.parsePipe() };
      }
      if (t.kind === 'keyword' && (t.text === 'import' || t.text === 'include' || t.text === 'module')) {
        throw this.error(t.start, `${t.text} is not supported: modules are not available in this jq`);
      }
      const left = this.parseBinary(1);
      if (this.isPunct('|')) {
        this.next();
        return { kind: 'pipe', left, right: this.parsePipe() };
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  parseFuncDef(): FuncDef {
    const start = this.peek().start;
    this.expectKeyword('def');
    const nameTok = this.next();
    if (nameTok.kind !== 'ident' && nameTok.kind !== 'keyword') throw this.unexpected(nameTok);
    if (nameTok.kind === 'keyword') throw this.unexpected(nameTok);
    const params: { name: string; isVar: boolean }[] = [];
    if (this.isPunct('(')) {
      this.next();
      for (;;) {
        const p = this.next();
        if (p.kind === 'var') params.push({ name: p.text, isVar: true });
        else if (p.kind === 'ident') params.push({ name: p.text, isVar: false });
        else throw this.unexpected(p);
        if (this.isPunct(';')) {
          this.next();
          continue;
        }
        this.expectPunct(')');
        break;
      }
    }
    this.expectPunct(':');
    const body = this.parsePipe();
    this.expectPunct(';');
    return { name: nameTok.text, params, body, at: start };
  }

  private parseBinary(minPrec: number): Node {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'keyword' && t.text === 'as') {
        // `1 + 2 as $x | body` binds `1 + 2`: `as` takes everything above `//` and `,` on its left.
        if (minPrec > AS_PREC) return left;
        this.next();
        const patterns = [this.parsePattern()];
        while (this.isPunct('?//')) {
          this.next();
          patterns.push(this.parsePattern());
        }
        this.expectPunct('|');
        return { kind: 'bind', source: left, patterns, body: this.parsePipe() };
      }
      const op = t.kind === 'punct' || t.kind === 'keyword' ? BINARY[t.text] : undefined;
      if (op === undefined || op.prec < minPrec) return left;
      this.next();
      const right = this.parseBinary(op.assoc === 'right' ? op.prec : op.prec + 1);
      left = this.makeBinary(t.text, left, right);
      if (op.assoc === 'none') {
        const n = this.peek();
        const again = n.kind === 'punct' || n.kind === 'keyword' ? BINARY[n.text] : undefined;
        if (again !== undefined && again.prec === op.prec) throw this.unexpected(n);
      }
    }
  }

  private makeBinary(op: string, left: Node, right: Node): Node {
    switch (op) {
      case ',':
        return { kind: 'comma', left, right };
      case '//':
        return { kind: 'alt', left, right };
      case 'and':
        return { kind: 'and', left, right };
      case 'or':
        return { kind: 'or', left, right };
      case '=':
      case '|=':
      case '+=':
      case '-=':
      case '*=':
      case '/=':
      case '%=':
      case '//=':
        return { kind: 'assign', op: op as AssignOp, left, right };
      default:
        return { kind: 'binary', op: op as BinaryOp, left, right };
    }
  }

  private parseUnary(): Node {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '-') {
      this.next();
      return { kind: 'neg', body: this.parseBinary(UNARY_MINUS_PREC) };
    }
    return this.parsePostfix();
  }

  /** A term with its suffixes (`.a`, `[e]`, `[]`, `?`). */
  private parsePostfix(): Node {
    let term = this.parseTerm();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'field') {
        this.next();
        term = { kind: 'index', target: term, index: { kind: 'literal', value: t.text }, at: t.start };
      } else if (t.kind === 'punct' && t.text === '.') {
        this.next();
        const n = this.peek();
        if (n.kind === 'quote') {
          term = { kind: 'index', target: term, index: this.parseString(null), at: t.start };
        } else if (n.kind === 'punct' && n.text === '[') {
          term = this.parseBracketSuffix(term);
        } else {
          throw this.unexpected(n);
        }
      } else if (t.kind === 'punct' && t.text === '[') {
        term = this.parseBracketSuffix(term);
      } else if (t.kind === 'punct' && t.text === '?') {
        this.next();
        term = { kind: 'try', body: term, handler: null };
      } else {
        return term;
      }
    }
  }

  private parseBracketSuffix(target: Node): Node {
    const open = this.expectPunct('[');
    if (this.isPunct(']')) {
      this.next();
      return { kind: 'iterate', target, at: open.start };
    }
    if (this.isPunct(':')) {
      this.next();
      const to = this.parsePipe();
      this.expectPunct(']');
      return { kind: 'slice', target, from: null, to, at: open.start };
    }
    const index = this.parsePipe();
    if (this.isPunct(':')) {
      this.next();
      if (this.isPunct(']')) {
        this.next();
        return { kind: 'slice', target, from: index, to: null, at: open.start };
      }
      const to = this.parsePipe();
      this.expectPunct(']');
      return { kind: 'slice', target, from: index, to, at: open.start };
    }
    this.expectPunct(']');
    return { kind: 'index', target, index, at: open.start };
  }

  private parseTerm(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'literal', value: t.value };
      case 'quote':
        return this.parseString(null);
      case 'format': {
        this.next();
        if (this.peek().kind === 'quote') return this.parseString(t.text);
        return { kind: 'format', name: t.text };
      }
      case 'field':
        this.next();
        return { kind: 'index', target: { kind: 'identity' }, index: { kind: 'literal', value: t.text }, at: t.start };
      case 'var':
        this.next();
        if (t.text === '__loc__') return { kind: 'loc', line: this.lineOf(t.start) };
        if (t.text.includes('::')) throw this.error(t.start, `$${t.text}: modules are not available in this jq`);
        return { kind: 'var', name: t.text, at: t.start };
      case 'ident':
        return this.parseCall();
      case 'keyword':
        return this.parseKeywordTerm(t);
      case 'punct':
        return this.parsePunctTerm(t);
      default:
        throw this.unexpected(t);
    }
  }

  private lineOf(offset: number): number {
    let line = 1;
    for (let i = 0; i < offset; i++) if (this.src.charCodeAt(i) === 10) line++;
    return line;
  }

  private parseCall(): Node {
    const t = this.next();
    if (!this.isPunct('(')) {
      if (t.text === 'null') return { kind: 'literal', value: null };
      if (t.text === 'true') return { kind: 'literal', value: true };
      if (t.text === 'false') return { kind: 'literal', value: false };
    }
    if (t.text.includes('::')) throw this.error(t.start, `${t.text}: modules are not available in this jq`);
    const args: Node[] = [];
    if (this.isPunct('(')) {
      this.next();
      for (;;) {
        args.push(this.parsePipe());
        if (this.isPunct(';')) {
          this.next();
          continue;
        }
        this.expectPunct(')');
        break;
      }
    }
    return { kind: 'call', name: t.text, args, at: t.start };
  }

  private parsePunctTerm(t: Token): Node {
    switch (t.text) {
      case '.': {
        this.next();
        const n = this.peek();
        if (n.kind === 'quote') {
          return { kind: 'index', target: { kind: 'identity' }, index: this.parseString(null), at: t.start };
        }
        if (n.kind === 'punct' && n.text === '[' && n.start === t.end) {
          return this.parseBracketSuffix({ kind: 'identity' });
        }
        return { kind: 'identity' };
      }
      case '..':
        this.next();
        return { kind: 'recurseAll' };
      case '(': {
        this.next();
        const body = this.parsePipe();
        this.expectPunct(')');
        return body;
      }
      case '[': {
        this.next();
        if (this.isPunct(']')) {
          this.next();
          return { kind: 'array', body: null };
        }
        const body = this.parsePipe();
        this.expectPunct(']');
        return { kind: 'array', body };
      }
      case '{':
        return this.parseObject();
      case '-': {
        this.next();
        return { kind: 'neg', body: this.parsePostfix() };
      }
      default:
        throw this.unexpected(t);
    }
  }

  private parseKeywordTerm(t: Token): Node {
    switch (t.text) {
      case 'if':
        return this.parseIf();
      case 'try': {
        this.next();
        const body = this.parsePostTerm();
        let handler: Node | null = null;
        if (this.isKeyword('catch')) {
          this.next();
          handler = this.parsePostTerm();
        }
        return { kind: 'try', body, handler };
      }
      case 'reduce': {
        this.next();
        const source = this.parseBinary(AS_PREC + 1);
        this.expectKeyword('as');
        const pattern = this.parsePattern();
        this.expectPunct('(');
        const init = this.parsePipe();
        this.expectPunct(';');
        const update = this.parsePipe();
        this.expectPunct(')');
        return { kind: 'reduce', source, pattern, init, update };
      }
      case 'foreach': {
        this.next();
        const source = this.parseBinary(AS_PREC + 1);
        this.expectKeyword('as');
        const pattern = this.parsePattern();
        this.expectPunct('(');
        const init = this.parsePipe();
        this.expectPunct(';');
        const update = this.parsePipe();
        let extract: Node | null = null;
        if (this.isPunct(';')) {
          this.next();
          extract = this.parsePipe();
        }
        this.expectPunct(')');
        return { kind: 'foreach', source, pattern, init, update, extract };
      }
      case 'label': {
        this.next();
        const v = this.next();
        if (v.kind !== 'var') throw this.unexpected(v);
        this.expectPunct('|');
        return { kind: 'label', name: v.text, body: this.parsePipe() };
      }
      case 'break': {
        this.next();
        const v = this.next();
        if (v.kind !== 'var') throw this.unexpected(v);
        return { kind: 'break', name: v.text, at: t.start };
      }
      case 'def': {
        const def = this.parseFuncDef();
        return { kind: 'funcdef', def, body: this.parsePipe() };
      }
      case 'import':
      case 'include':
      case 'module':
        throw this.error(t.start, `${t.text} is not supported: modules are not available in this jq`);
      default:
        throw this.unexpected(t);
    }
  }

  /** The operand of `try` and `catch`: a postfix term (binds tighter than any binary operator). */
  private parsePostTerm(): Node {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '-') {
      this.next();
      return { kind: 'neg', body: this.parsePostfix() };
    }
    return this.parsePostfix();
  }

  private parseIf(): Node {
    this.expectKeyword('if');
    const cond = this.parsePipe();
    this.expectKeyword('then');
    const then = this.parsePipe();
    if (this.isKeyword('elif')) {
      const elif = this.parseIf2();
      return { kind: 'if', cond, then, else: elif };
    }
    let otherwise: Node | null = null;
    if (this.isKeyword('else')) {
      this.next();
      otherwise = this.parsePipe();
    }
    this.expectKeyword('end');
    return { kind: 'if', cond, then, else: otherwise };
  }

  /** `elif c then x ...`: the rest of an if chain; shares the final `end`. */
  private parseIf2(): Node {
    this.expectKeyword('elif');
    const cond = this.parsePipe();
    this.expectKeyword('then');
    const then = this.parsePipe();
    if (this.isKeyword('elif')) return { kind: 'if', cond, then, else: this.parseIf2() };
    let otherwise: Node | null = null;
    if (this.isKeyword('else')) {
      this.next();
      otherwise = this.parsePipe();
    }
    this.expectKeyword('end');
    return { kind: 'if', cond, then, else: otherwise };
  }

  private parseObject(): Node {
    this.expectPunct('{');
    const entries: ObjectEntry[] = [];
    while (!this.isPunct('}')) {
      entries.push(this.parseObjectEntry());
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (!this.isPunct('}')) throw this.unexpected(this.peek());
    }
    this.next();
    return { kind: 'object', entries };
  }

  private parseObjectEntry(): ObjectEntry {
    const t = this.peek();
    let key: Node;
    let shorthand: Node;
    if (t.kind === 'var') {
      this.next();
      if (t.text === '__loc__') {
        const loc: Node = { kind: 'loc', line: this.lineOf(t.start) };
        return { key: { kind: 'literal', value: '__loc__' }, value: loc };
      }
      const v: Node = { kind: 'var', name: t.text, at: t.start };
      if (this.isPunct(':')) {
        this.next();
        return { key: v, value: this.parseObjectValue() };
      }
      return { key: { kind: 'literal', value: t.text }, value: v };
    } else if (t.kind === 'ident' || t.kind === 'keyword') {
      this.next();
      key = { kind: 'literal', value: t.text };
      shorthand = { kind: 'index', target: { kind: 'identity' }, index: key, at: t.start };
    } else if (t.kind === 'quote' || t.kind === 'format') {
      if (t.kind === 'format') {
        this.next();
        if (this.peek().kind !== 'quote') throw this.unexpected(this.peek());
        key = this.parseString(t.text);
      } else {
        key = this.parseString(null);
      }
      shorthand = { kind: 'index', target: { kind: 'identity' }, index: key, at: t.start };
    } else if (t.kind === 'number') {
      this.next();
      if (this.isPunct(':')) throw this.error(t.start, `Cannot use number (${t.text}) as object key`);
      throw this.error(t.start, 'May need parentheses around object key expression');
    } else if (t.kind === 'punct' && t.text === '(') {
      this.next();
      key = this.parsePipe();
      this.expectPunct(')');
      if (key.kind === 'literal' && typeof key.value !== 'string') {
        throw this.error(t.start + 1, `Cannot use ${describe(key.value)} as object key`);
      }
      this.expectPunct(':');
      return { key, value: this.parseObjectValue() };
    } else {
      throw this.unexpected(t);
    }
    if (this.isPunct(':')) {
      this.next();
      return { key, value: this.parseObjectValue() };
    }
    const n = this.peek();
    if (!(n.kind === 'punct' && (n.text === ',' || n.text === '}'))) {
      throw this.error(t.start, 'May need parentheses around object key expression');
    }
    return { key, value: shorthand };
  }

  /** An object value: any expression but a comma (which separates entries); pipes allowed. */
  private parseObjectValue(): Node {
    const left = this.parseBinary(OBJECT_VALUE_PREC);
    if (this.isPunct('|')) {
      this.next();
      return { kind: 'pipe', left, right: this.parseObjectValue() };
    }
    return left;
  }

  private parsePattern(): Pattern {
    const t = this.next();
    if (t.kind === 'var') {
      if (t.text === '__loc__') throw this.unexpected(t);
      return { kind: 'var', name: t.text, at: t.start };
    }
    if (t.kind === 'punct' && t.text === '[') {
      if (this.isPunct(']')) {
        throw compileError(this.src, this.peek().start, "syntax error, unexpected ']', expecting BINDING or '[' or '{'");
      }
      const elements: Pattern[] = [];
      for (;;) {
        elements.push(this.parsePattern());
        if (this.isPunct(',')) {
          this.next();
          continue;
        }
        this.expectPunct(']');
        return { kind: 'array', elements };
      }
    }
    if (t.kind === 'punct' && t.text === '{') {
      if (this.isPunct('}')) throw compileError(this.src, this.peek().start, "syntax error, unexpected '}'");
      const entries: ObjectPatternEntry[] = [];
      for (;;) {
        entries.push(this.parseObjectPatternEntry());
        if (this.isPunct(',')) {
          this.next();
          continue;
        }
        this.expectPunct('}');
        return { kind: 'object', entries };
      }
    }
    throw this.unexpected(t);
  }

  private parseObjectPatternEntry(): ObjectPatternEntry {
    const t = this.peek();
    if (t.kind === 'var') {
      this.next();
      let pattern: Pattern | null = null;
      if (this.isPunct(':')) {
        this.next();
        pattern = this.parsePattern();
      }
      return { keyVar: t.text, key: null, pattern, at: t.start };
    }
    let key: Node;
    if (t.kind === 'ident' || t.kind === 'keyword') {
      this.next();
      key = { kind: 'literal', value: t.text };
    } else if (t.kind === 'quote') {
      key = this.parseString(null);
    } else if (t.kind === 'format') {
      this.next();
      key = this.parseString(t.text);
    } else if (t.kind === 'punct' && t.text === '(') {
      this.next();
      key = this.parsePipe();
      this.expectPunct(')');
      if (key.kind === 'literal' && typeof key.value !== 'string') {
        throw this.error(t.start + 1, `Cannot use ${describe(key.value)} as object key`);
      }
    } else {
      throw this.unexpected(t);
    }
    this.expectPunct(':');
    return { keyVar: null, key, pattern: this.parsePattern(), at: t.start };
  }

  /** A string literal at the current token, with `\(...)` interpolations. */
  private parseString(format: string | null): Node {
    const t = this.peek();
    if (t.kind !== 'quote') throw this.unexpected(t);
    const src = this.src;
    let pos = t.start + 1;
    this.tok = null;
    const parts: (string | Node)[] = [];
    let buf = '';
    for (;;) {
      if (pos >= src.length) throw this.error(t.start, 'unterminated string literal');
      const c = src[pos]!;
      if (c === '"') {
        pos++;
        break;
      }
      if (c !== '\\') {
        buf += c;
        pos++;
        continue;
      }
      const e = src[pos + 1];
      if (e === '(') {
        if (buf !== '') parts.push(buf);
        buf = '';
        this.pos = pos + 2;
        this.tok = null;
        const inner = this.parsePipe();
        const close = this.peek();
        if (close.kind !== 'punct' || close.text !== ')') throw this.unexpected(close);
        pos = close.end;
        this.tok = null;
        parts.push(inner);
        continue;
      }
      if (e === 'u') {
        const hex = src.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.invalidEscape(t.start, pos, pos + 6);
        buf += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
        continue;
      }
      const esc = e === undefined ? undefined : ESCAPES[e];
      if (esc === undefined) throw this.invalidEscape(t.start, pos, pos + 2);
      buf += esc;
      pos += 2;
    }
    if (buf !== '' || parts.length === 0) parts.push(buf);
    this.pos = pos;
    this.tok = null;
    if (format === null && parts.length === 1 && typeof parts[0] === 'string') {
      return { kind: 'literal', value: toWellFormed(parts[0]) };
    }
    return { kind: 'string', parts: parts.map((p) => (typeof p === 'string' ? toWellFormed(p) : p)), format };
  }

  private invalidEscape(stringStart: number, at: number, end: number): Error {
    const pos = this.positionText(at);
    return compileError(
      this.src,
      stringStart,
      `Invalid escape at line ${pos.line}, column ${pos.column} (while parsing '"${this.src.slice(at, end)}"')`,
    );
  }

  private positionText(offset: number): { line: number; column: number } {
    let line = 1;
    let col = 1;
    for (let i = 0; i < offset; i++) {
      if (this.src.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return { line, column: col + 1 };
  }
}

/** Lone surrogates from `\uD800`-style escapes become U+FFFD, as in jq. */
function toWellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export { KEYWORDS };
