/**
 * A parser for Oniguruma patterns in ONIG_SYNTAX_PERL_NT, the syntax jq compiles with. Perl
 * syntax has no nested classes or `&&` (a `[` inside brackets is literal), no `\h` or `\u`
 * escapes (they stand for the letters), and no `{,n}` interval; it has `\Q…\E`, possessive
 * quantifiers, atomic and absent groups, `\K`, named groups and `\g<…>` calls.
 */
import type { CharClass, ClassItem, GroupKind, Node, Opts } from './regex-syntax.js';
import { RegexSyntaxError, WORD, WORD_INNER, posixInner, propertyInner, setItem } from './regex-syntax.js';

const MAX_REPEAT = 100000;

const SIMPLE_ESCAPES: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11, a: 7, e: 27 };

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

const LINEBREAK = '(?:\\r\\n|[\\n\\v\\f\\r\\u{85}\\u{2028}\\u{2029}])';
// An extended grapheme cluster, approximated: CR LF, or a base with its marks and joiners.
const GRAPHEME = '(?:\\r\\n|\\P{M}[\\p{M}\\u{200d}]*|\\p{M}+)';

// Text segment boundaries, approximated: between any two code points except before a mark
// or a joiner, after a joiner, and inside CR LF.
const SEGMENT = '(?:^|$|(?![\\p{M}\\u{200d}])(?<!\\u{200d})(?<!\\r(?=\\n)))';

/** Oniguruma refuses to repeat an assertion, also inside `(?:…)` or one of its alternatives. */
function zeroWidth(n: Node, top: boolean): boolean {
  switch (n.t) {
    case 'anchor':
    case 'keep':
      return true;
    case 'group':
      if (n.kind === 'plain') return top && zeroWidth(n.body, false);
      return n.kind === 'ahead' || n.kind === 'nahead' || n.kind === 'behind' || n.kind === 'nbehind';
    case 'alt':
      return n.branches.some((b) => zeroWidth(b, false));
    default:
      return false;
  }
}

export class Parser {
  private pos = 0;
  private readonly cps: number[];
  groupCount = 0;
  readonly names: (string | null)[] = [];
  readonly groupNodes: Extract<Node, { t: 'group' }>[] = [];
  readonly backrefs: { ref: number | string; offset: number }[] = [];

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  }

  parsePattern(opts: Opts): Node {
    const node = this.parseAlt(opts);
    if (!this.eof()) this.err('unmatched close parenthesis');
    return node;
  }

  private err(reason: string, at = this.pos): never {
    throw new RegexSyntaxError(reason, at);
  }

  private peekCh(k = 0): string {
    const c = this.cps[this.pos + k];
    return c === undefined ? '' : String.fromCodePoint(c);
  }

  private take(): string {
    return String.fromCodePoint(this.cps[this.pos++]!);
  }

  private eof(): boolean {
    return this.pos >= this.cps.length;
  }

  private lookingAt(re: RegExp, len: number): RegExpExecArray | null {
    return re.exec(
      this.cps
        .slice(this.pos, this.pos + len)
        .map((x) => String.fromCodePoint(x))
        .join(''),
    );
  }

  private parseAlt(outer: Opts): Node {
    // `(?i)` inside a group lasts to the end of the group, across its later alternatives.
    const opts = { ...outer };
    const branches: Node[] = [this.parseSeq(opts)];
    while (this.peekCh() === '|') {
      this.pos++;
      branches.push(this.parseSeq(opts));
    }
    return branches.length === 1 ? branches[0]! : { t: 'alt', branches };
  }

  private skipExtended(opts: Opts): void {
    if (!opts.x) return;
    for (;;) {
      const c = this.peekCh();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
        this.pos++;
      } else if (c === '#') {
        while (!this.eof() && this.peekCh() !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  private parseSeq(opts: Opts): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipExtended(opts);
      if (this.eof()) break;
      const c = this.peekCh();
      if (c === '|' || c === ')') break;
      const start = this.pos;
      if (c === '(' && this.peekCh(1) === '?' && this.isOptionGroup()) {
        const newOpts = this.parseOptionLetters(opts);
        if (this.take() === ')') {
          Object.assign(opts, newOpts);
          continue;
        }
        const body = this.parseAlt(newOpts);
        this.expectClose(start);
        items.push(this.parseQuantifiers({ t: 'group', kind: 'plain', num: 0, body }, opts));
        continue;
      }
      if (c === '\\' && this.peekCh(1) === 'Q') {
        // A quantifier after `\Q…\E` applies to its last character only.
        this.pos += 2;
        const chars: number[] = [];
        while (!this.eof() && !(this.peekCh() === '\\' && this.peekCh(1) === 'E')) chars.push(this.cps[this.pos++]!);
        if (!this.eof()) this.pos += 2;
        chars.forEach((cp, k) => {
          const node: Node = { t: 'char', cp, ci: opts.i };
          items.push(k === chars.length - 1 ? this.parseQuantifiers(node, opts) : node);
        });
        continue;
      }
      items.push(this.parseQuantifiers(this.parseAtom(opts), opts));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  /** After `(?`: letters from imsx with an optional `-`, then `)` or `:`. */
  private isOptionGroup(): boolean {
    let k = 2;
    for (;;) {
      const c = this.peekCh(k);
      if (c === 'i' || c === 'm' || c === 's' || c === 'x' || c === '-') k++;
      else return k > 2 && (c === ')' || c === ':');
    }
  }

  private parseOptionLetters(opts: Opts): Opts {
    this.pos += 2;
    const o = { ...opts };
    let on = true;
    for (;;) {
      const c = this.peekCh();
      if (c === '-') on = false;
      else if (c === 'i') o.i = on;
      else if (c === 'x') o.x = on;
      else if (c === 's') o.s = on;
      else if (c === 'm') o.m = on;
      else return o;
      this.pos++;
    }
  }

  private expectClose(start: number): void {
    if (this.peekCh() !== ')') this.err('end pattern with unmatched parenthesis', start);
    this.pos++;
  }

  /** `{n}`, `{n,}` or `{n,m}` at the current position, or null if it is literal text. */
  private readInterval(): { min: number; max: number; len: number } | null {
    const m = this.lookingAt(/^\{([0-9]+)(,([0-9]*))?\}/, 24);
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.err('too big number for repeat range');
    if (max < min) this.err('upper is smaller than lower in repeat range');
    return { min, max, len: m[0].length };
  }

  private parseQuantifiers(atom: Node, opts: Opts): Node {
    let node = atom;
    for (;;) {
      this.skipExtended(opts);
      const c = this.peekCh();
      let min = 0;
      let max = Infinity;
      if (c === '+') {
        min = 1;
      } else if (c === '?') {
        max = 1;
      } else if (c === '{') {
        const iv = this.readInterval();
        if (iv === null) return node;
        min = iv.min;
        max = iv.max;
        this.pos += iv.len - 1;
      } else if (c !== '*') {
        return node;
      }
      this.pos++;
      if (zeroWidth(node, true)) this.err('target of repeat operator is invalid');
      let lazy = false;
      let possessive = false;
      if (this.peekCh() === '?') {
        lazy = true;
        this.pos++;
      } else if (this.peekCh() === '+') {
        possessive = true;
        this.pos++;
      }
      node = { t: 'repeat', body: node, min, max, lazy, possessive };
    }
  }

  private parseAtom(opts: Opts): Node {
    const start = this.pos;
    switch (this.peekCh()) {
      case '(':
        return this.parseGroup(opts);
      case '[':
        this.pos++;
        return { t: 'class', cls: this.parseClass(start), ci: opts.i };
      case '.':
        this.pos++;
        return { t: 'set', src: opts.s ? '[\\s\\S]' : '[^\\n]' };
      case '^':
        this.pos++;
        return { t: 'anchor', src: opts.m ? '(?:^|(?<=\\n)(?!$))' : '^' };
      case '$':
        this.pos++;
        return { t: 'anchor', src: opts.m ? '(?=\\n|$)' : '(?=\\n?$)' };
      case '\\':
        return this.parseEscape(opts);
      case '*':
      case '+':
      case '?':
        this.err('target of repeat operator is not specified');
        break;
      case '{':
        if (this.readInterval() !== null) this.err('target of repeat operator is not specified');
        break;
    }
    this.pos++;
    return { t: 'char', cp: this.cps[start]!, ci: opts.i };
  }

  private readUntil(close: string, what: string, start: number): string {
    let s = '';
    while (!this.eof() && this.peekCh() !== close) s += this.take();
    if (this.eof()) this.err(what, start);
    this.pos++;
    return s;
  }

  private capture(name: string | null, opts: Opts, start: number): Node {
    const num = ++this.groupCount;
    this.names[num - 1] = name;
    const node: Extract<Node, { t: 'group' }> = { t: 'group', kind: 'capture', num, body: { t: 'seq', items: [] } };
    this.groupNodes[num - 1] = node;
    node.body = this.parseAlt(opts);
    this.expectClose(start);
    return node;
  }

  private parseGroup(opts: Opts): Node {
    const start = this.pos;
    this.pos++;
    if (this.peekCh() !== '?') return this.capture(null, opts, start);
    this.pos++;
    const c = this.peekCh();
    const c1 = this.peekCh(1);
    let kind: GroupKind;
    if (c === '#') {
      this.readUntil(')', 'end pattern in group', start);
      return { t: 'seq', items: [] };
    } else if (c === '<' && (c1 === '=' || c1 === '!')) {
      kind = c1 === '=' ? 'behind' : 'nbehind';
      this.pos += 2;
    } else if (c === '<' || c === "'" || (c === 'P' && c1 === '<')) {
      if (c === 'P') this.pos++;
      const close = this.take() === '<' ? '>' : "'";
      const nameStart = this.pos;
      const name = this.readUntil(close, 'invalid group name <>', start);
      if (!/^[\p{L}\p{M}\p{Nd}\p{Pc}-]+$/u.test(name) || isDigit(name[0]!)) {
        this.err(`invalid group name <${name}>`, nameStart);
      }
      return this.capture(name, opts, start);
    } else if (c === '~') {
      this.pos++;
      const body = this.parseAlt(opts);
      this.expectClose(start);
      // `(?~X)`: any text that does not contain X, approximately.
      const notX: Node = { t: 'group', kind: 'nahead', num: 0, body };
      const step: Node = { t: 'seq', items: [notX, { t: 'set', src: '[\\s\\S]' }] };
      return { t: 'repeat', body: step, min: 0, max: Infinity, lazy: false, possessive: false };
    } else {
      const kinds: Record<string, GroupKind> = { ':': 'plain', '=': 'ahead', '!': 'nahead', '>': 'atomic' };
      const k = kinds[c];
      if (k === undefined) this.err(c === '(' ? 'conditional groups are not supported' : 'undefined group option');
      kind = k;
      this.pos++;
    }
    const body = this.parseAlt(opts);
    this.expectClose(start);
    return { t: 'group', kind, num: 0, body };
  }

  private hexDigits(max: number): string {
    let s = '';
    while (s.length < max && /[0-9a-fA-F]/.test(this.peekCh())) s += this.take();
    return s;
  }

  private octalDigits(max: number): string {
    let s = '';
    while (s.length < max && /[0-7]/.test(this.peekCh())) s += this.take();
    return s;
  }

  private braced(re: RegExp, base: number): number {
    const start = this.pos;
    this.pos++;
    const s = this.readUntil('}', 'invalid code point value', start).trim();
    const v = re.test(s) ? parseInt(s, base) : NaN;
    if (!(v <= 0x10ffff)) this.err('invalid code point value', start);
    return v;
  }

  /** A following `\\xHH` or `\\ooo` escape as a byte, consumed, or null. */
  private byteEscape(): number | null {
    if (this.peekCh() !== '\\') return null;
    const m = this.lookingAt(/^\\(?:x([0-9a-fA-F]{1,2})|([0-3][0-7]{2}))/, 5);
    if (m === null) return null;
    this.pos += m[0].length;
    return m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 8);
  }

  /**
   * In a UTF-8 pattern `\\xHH` and `\\ooo` are bytes: from 0x80 on, the escapes that follow
   * must complete one UTF-8 character.
   */
  private utf8Bytes(first: number): number {
    if (first < 0x80) return first;
    const start = this.pos;
    const n = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc2 ? 2 : 0;
    const bytes = [first];
    while (bytes.length < n) {
      const b = this.byteEscape();
      if (b === null) break;
      bytes.push(b);
    }
    if (n > 0 && bytes.length === n) {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)).codePointAt(0)!;
      } catch {
        // not UTF-8: the error below
      }
    }
    this.err('invalid code point value', start);
  }

  /** A character escape (the backslash consumed, `c` next), or undefined if `c` is not one. */
  private charEscape(c: string): number | undefined {
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      this.pos++;
      return simple;
    }
    switch (c) {
      case 'x':
        this.pos++;
        if (this.peekCh() === '{') return this.braced(/^[0-9a-fA-F]{1,8}$/, 16);
        return this.utf8Bytes(parseInt(this.hexDigits(2) || '0', 16));
      case 'o':
        if (this.peekCh(1) !== '{') return undefined;
        this.pos++;
        return this.braced(/^[0-7]{1,11}$/, 8);
      case '0':
        this.pos++;
        return this.utf8Bytes(parseInt(this.octalDigits(2) || '0', 8));
      case 'c':
        this.pos++;
        if (this.eof()) this.err('end pattern at control');
        return this.cps[this.pos++]! & 0x1f;
      default:
        return undefined;
    }
  }

  /** `\w \W \d \D \s \S \p{…} \P{…}` as a class item (the backslash consumed), or undefined. */
  private setEscape(c: string): ClassItem | undefined {
    const lower = c.toLowerCase();
    const neg = c !== lower;
    if (lower === 'w' || lower === 'd' || lower === 's') {
      this.pos++;
      return setItem(lower === 'w' ? WORD_INNER : lower === 'd' ? '\\p{Nd}' : '\\p{White_Space}', neg);
    }
    if (lower !== 'p' || this.peekCh(1) !== '{') return undefined;
    const start = this.pos;
    this.pos += 2;
    let name = this.readUntil('}', 'invalid character property name', start);
    let n = neg;
    if (name.startsWith('^')) {
      n = !n;
      name = name.slice(1);
    }
    const prop = propertyInner(name);
    if (prop === null) this.err(`invalid character property name {${name}}`, start);
    return setItem(prop, n);
  }

  private parseEscape(opts: Opts): Node {
    const start = this.pos;
    this.pos++;
    if (this.eof()) this.err('end pattern at escape');
    const c = this.peekCh();
    const set = this.setEscape(c);
    if (set !== undefined) {
      // Outside brackets Oniguruma does not fold case into a property.
      return { t: 'set', src: set.t === 'set' ? set.src : '' };
    }
    const anchors: Record<string, string> = {
      b: `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`,
      B: `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`,
      A: '^',
      G: '^',
      z: '$',
      Z: '(?=\\n?$)',
      y: SEGMENT,
      Y: `(?!${SEGMENT})`,
    };
    const anchor = anchors[c];
    if (anchor !== undefined) {
      this.pos++;
      return { t: 'anchor', src: anchor };
    }
    switch (c) {
      case 'R':
        this.pos++;
        return { t: 'group', kind: 'atomic', num: 0, body: { t: 'set', src: LINEBREAK } };
      case 'N':
        this.pos++;
        return { t: 'set', src: '[^\\n]' };
      case 'O':
        this.pos++;
        return { t: 'set', src: '[\\s\\S]' };
      case 'X':
        this.pos++;
        return { t: 'group', kind: 'atomic', num: 0, body: { t: 'set', src: GRAPHEME } };
      case 'K':
        this.pos++;
        return { t: 'keep', offset: start };
      case 'k':
      case 'g':
        if (this.peekCh(1) === '<' || this.peekCh(1) === "'") return this.parseReference(c, start);
        break;
    }
    if (c >= '1' && c <= '9') {
      let digits = '';
      while (isDigit(this.peekCh(digits.length))) digits += this.peekCh(digits.length);
      const n = Number(digits);
      if (n <= 9 || n <= this.groupCount) {
        this.pos += digits.length;
        this.backrefs.push({ ref: n, offset: start });
        return { t: 'backref', ref: n, offset: start };
      }
      if (c <= '7') return { t: 'char', cp: this.utf8Bytes(parseInt(this.octalDigits(3), 8)), ci: opts.i };
    }
    const ch = this.charEscape(c);
    if (ch !== undefined) return { t: 'char', cp: ch, ci: opts.i };
    // Any other escaped character stands for itself (`\h`, `\u` and `\-` included).
    this.pos++;
    return { t: 'char', cp: c.codePointAt(0)!, ci: opts.i };
  }

  /** `\k<…>` backreferences and `\g<…>` calls: by name, number, or relative number. */
  private parseReference(c: string, start: number): Node {
    this.pos++;
    const close = this.take() === '<' ? '>' : "'";
    const name = this.readUntil(close, 'invalid backref number/name', start);
    let ref: number | string;
    if (/^[0-9]+$/.test(name)) ref = Number(name);
    else if (/^-[0-9]+$/.test(name)) ref = this.groupCount + 1 + Number(name);
    else if (/^\+[0-9]+$/.test(name)) ref = this.groupCount + Number(name.slice(1));
    // `\k<name+level>`: a recursion level, meaningless without recursion.
    else ref = name.replace(/[+-][0-9]+$/, '');
    if (c === 'g') return { t: 'call', ref, offset: start };
    if (typeof ref === 'string' && !this.names.includes(ref)) this.err(`undefined name <${ref}> reference`, start);
    this.backrefs.push({ ref, offset: start });
    return { t: 'backref', ref, offset: start };
  }

  private parseClass(start: number): CharClass {
    const cls: CharClass = { neg: false, items: [] };
    if (this.peekCh() === '^') {
      cls.neg = true;
      this.pos++;
    }
    let first = true;
    for (;;) {
      if (this.eof()) this.err('premature end of char-class', start);
      if (this.peekCh() === ']' && !first) {
        this.pos++;
        return cls;
      }
      first = false;
      const item = this.classAtom();
      if (this.peekCh() === '-' && this.peekCh(1) !== ']' && this.peekCh(1) !== '') {
        this.pos++;
        const hiStart = this.pos;
        const hi = this.classAtom();
        if (item.t !== 'char' || hi.t !== 'char') this.err('unmatched range specifier in char-class', hiStart);
        if (hi.cp < item.cp) this.err('empty range in char class', hiStart);
        cls.items.push({ t: 'range', lo: item.cp, hi: hi.cp });
        continue;
      }
      cls.items.push(item);
    }
  }

  private classAtom(): ClassItem {
    const c = this.peekCh();
    if (c === '[') {
      const m = this.lookingAt(/^\[:(\^?)([A-Za-z]+):\]/, 16);
      if (m !== null) {
        const inner = posixInner(m[2]!);
        if (inner === undefined) this.err('invalid POSIX bracket type');
        this.pos += m[0].length;
        return setItem(inner, m[1] === '^');
      }
    }
    if (c !== '\\') {
      this.pos++;
      return { t: 'char', cp: c.codePointAt(0)! };
    }
    this.pos++;
    if (this.eof()) this.err('end pattern at escape');
    const e = this.peekCh();
    const set = this.setEscape(e);
    if (set !== undefined) return set;
    if (e === 'b') {
      this.pos++;
      return { t: 'char', cp: 8 };
    }
    if (e >= '1' && e <= '7') return { t: 'char', cp: this.utf8Bytes(parseInt(this.octalDigits(3), 8)) };
    const ch = this.charEscape(e);
    if (ch !== undefined) return { t: 'char', cp: ch };
    this.pos++;
    return { t: 'char', cp: e.codePointAt(0)! };
  }
}
