/**
 * Translates an Oniguruma pattern (ONIG_SYNTAX_PERL_NT, the syntax jq uses) into the source of
 * a JavaScript RegExp compiled with the `v` flag.
 *
 * Every capture group becomes an unnamed JS group; the caller maps Oniguruma group numbers to JS
 * group numbers through `jsIndex`, which lets helper groups (atomic groups, possessive
 * quantifiers, the not-empty wrapper) sit anywhere and lets names repeat, as Oniguruma allows.
 * Every literal that is not an ASCII letter or digit is written as `\u{…}`, which is valid in
 * and out of classes under `v`, so no character of the input pattern can change the meaning of
 * the output.
 */

export interface RegexOptions {
  ignoreCase: boolean;
  extended: boolean;
  /** Oniguruma's MULTILINE option: `.` matches a newline (jq's `p` flag, `(?s)`). */
  dotAll: boolean;
}

export interface TranslatedRegex {
  source: string;
  /** The same pattern wrapped so that it can only match a non-empty string (jq's `n` flag). */
  notEmptySource: string;
  /** `i` when the whole pattern is case-insensitive, otherwise empty. */
  flags: string;
  /** Name of each Oniguruma group, index 0 for group 1. */
  names: (string | null)[];
  /** JS group number of each Oniguruma group, index 0 for group 1. */
  jsIndex: number[];
  /** The same for notEmptySource, whose own helper group comes first. */
  jsIndexNotEmpty: number[];
}

export class RegexSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

interface Opts {
  i: boolean;
  x: boolean;
  s: boolean;
  /** Perl's `(?m)`: `^` and `$` work on lines instead of the whole string. */
  m: boolean;
}

type ClassItem =
  | { t: 'char'; cp: number }
  | { t: 'range'; lo: number; hi: number }
  | { t: 'set'; src: string }
  | { t: 'class'; cls: CharClass };

interface CharClass {
  neg: boolean;
  /** Operands of `&&`, each a union of items. */
  ops: ClassItem[][];
}

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'char'; cp: number; ci: boolean }
  | { t: 'class'; cls: CharClass; ci: boolean }
  /** An already rendered atom that can take a quantifier (a set such as `\p{Nd}`). */
  | { t: 'set'; src: string }
  /** A rendered zero-width assertion; quantifying it is an error, as in Oniguruma. */
  | { t: 'anchor'; src: string }
  | { t: 'group'; kind: GroupKind; num: number; body: Node }
  | { t: 'repeat'; body: Node; min: number; max: number; lazy: boolean; possessive: boolean }
  | { t: 'backref'; ref: number | string; offset: number }
  | { t: 'call'; ref: number | string; offset: number }
  | { t: 'absent'; body: Node };

type GroupKind = 'capture' | 'plain' | 'ahead' | 'nahead' | 'behind' | 'nbehind' | 'atomic';

const WORD_INNER = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const WORD = `[${WORD_INNER}]`;
const NOT_WORD = `[^${WORD_INNER}]`;
const MAX_REPEAT = 100000;

function esc(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCodePoint(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

/** Inner text of a class (without brackets) for a POSIX bracket name, or undefined. */
function posixInner(name: string): string | undefined {
  switch (name) {
    case 'alpha':
      return '\\p{Alphabetic}';
    case 'digit':
      return '\\p{Nd}';
    case 'alnum':
      return '\\p{Alphabetic}\\p{Nd}';
    case 'upper':
      return '\\p{Uppercase}';
    case 'lower':
      return '\\p{Lowercase}';
    case 'space':
      return '\\p{White_Space}';
    case 'blank':
      return '\\p{Zs}\\u{9}';
    case 'cntrl':
      return '\\p{Cc}';
    case 'punct':
      return '\\p{P}\\u{24}\\u{2b}\\u{3c}\\u{3d}\\u{3e}\\u{5e}\\u{60}\\u{7c}\\u{7e}';
    case 'graph':
      return '[^\\p{White_Space}\\p{Cc}\\p{Cn}\\p{Cs}]';
    case 'print':
      return '[^\\p{White_Space}\\p{Cc}\\p{Cn}\\p{Cs}]\\p{Zs}';
    case 'xdigit':
      return '0-9A-Fa-f';
    case 'word':
      return WORD_INNER;
    case 'ascii':
      return '\\u{0}-\\u{7f}';
    case 'any':
      return '\\u{0}-\\u{10ffff}';
    default:
      return undefined;
  }
}

const propertyCache = new Map<string, string | null>();

function validProperty(body: string): boolean {
  try {
    new RegExp(`\\p{${body}}`, 'v');
    return true;
  } catch {
    return false;
  }
}

/** Maps an Oniguruma property name to the inner text of a JS class, or null if unknown. */
function propertyInner(raw: string): string | null {
  const cached = propertyCache.get(raw);
  if (cached !== undefined) return cached;
  const norm = raw.toLowerCase().replace(/[\s_-]/g, '');
  let result: string | null = null;
  const posix = posixInner(norm);
  if (posix !== undefined) {
    result = posix;
  } else {
    const words = raw.trim().split(/[\s_-]+/).filter((w) => w.length > 0);
    const title = words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('_');
    const candidates = [raw, title, raw.length <= 2 ? title : raw.toUpperCase()];
    for (const c of candidates) {
      if (!/^[A-Za-z0-9_]+$/.test(c)) continue;
      if (validProperty(c)) {
        result = `\\p{${c}}`;
        break;
      }
      if (validProperty(`Script=${c}`)) {
        result = `\\p{Script=${c}}`;
        break;
      }
    }
  }
  if (propertyCache.size > 500) propertyCache.clear();
  propertyCache.set(raw, result);
  return result;
}

/** Single-code-point case variants of a character. */
function caseVariants(cp: number): number[] {
  const out = new Set<number>([cp]);
  const queue = [cp];
  while (queue.length > 0) {
    const c = queue.pop()!;
    const s = String.fromCodePoint(c);
    for (const v of [s.toLowerCase(), s.toUpperCase()]) {
      const vc = v.codePointAt(0)!;
      if (v.length === String.fromCodePoint(vc).length && !out.has(vc)) {
        out.add(vc);
        queue.push(vc);
      }
    }
  }
  return [...out];
}

const SIMPLE_ESCAPES: Record<string, number> = {
  t: 9,
  n: 10,
  r: 13,
  f: 12,
  v: 11,
  a: 7,
  e: 27,
};

class Parser {
  private pos = 0;
  private readonly cps: number[];
  groupCount = 0;
  readonly names: (string | null)[] = [];
  readonly groupNodes: Node[] = [];
  readonly backrefs: { ref: number | string; offset: number }[] = [];

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  }

  private err(reason: string, at = this.pos): never {
    throw new RegexSyntaxError(reason, at);
  }

  private peek(k = 0): number | undefined {
    return this.cps[this.pos + k];
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

  parsePattern(opts: Opts): Node {
    const node = this.parseAlt(opts);
    if (!this.eof()) this.err('unmatched close parenthesis');
    return node;
  }

  private parseAlt(opts: Opts): Node {
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
      if (c === '(' && this.peekCh(1) === '?' && this.isOptionOnlyGroup()) {
        const newOpts = this.parseOptionLetters(opts);
        if (this.peekCh() === ')') {
          // `(?i)` applies to the rest of the enclosing group, alternatives included.
          this.pos++;
          const rest = this.parseAlt(newOpts);
          items.push({ t: 'group', kind: 'plain', num: 0, body: rest });
          break;
        }
        this.pos++; // ':'
        const body = this.parseAlt(newOpts);
        this.expectClose(start);
        items.push(this.parseQuantifiers({ t: 'group', kind: 'plain', num: 0, body }, opts));
        continue;
      }
      const atom = this.parseAtom(opts);
      if (atom === null) continue;
      items.push(this.parseQuantifiers(atom, opts));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  /** After `(?`: letters from imsx, an optional `-` and more letters, then `)` or `:`. */
  private isOptionOnlyGroup(): boolean {
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
    let neg = false;
    for (;;) {
      const c = this.peekCh();
      if (c === '-') neg = true;
      else if (c === 'i') o.i = !neg;
      else if (c === 'x') o.x = !neg;
      else if (c === 's') o.s = !neg;
      else if (c === 'm') o.m = !neg;
      else return o;
      this.pos++;
    }
  }

  private expectClose(start: number): void {
    if (this.peekCh() !== ')') this.err('end pattern with unmatched parenthesis', start);
    this.pos++;
  }

  private readInterval(): { min: number; max: number; len: number } | null {
    let k = 1;
    const digits = (): string => {
      let s = '';
      while (/[0-9]/.test(this.peekCh(k))) s += this.peekCh(k++);
      return s;
    };
    const a = digits();
    let b: string | null = null;
    let comma = false;
    if (this.peekCh(k) === ',') {
      comma = true;
      k++;
      b = digits();
    }
    if (this.peekCh(k) !== '}') return null;
    if (a === '' && (!comma || b === '')) return null;
    const min = a === '' ? 0 : Number(a);
    const max = !comma ? min : b === '' ? Infinity : Number(b!);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      this.err('too big number for repeat range');
    }
    if (max < min) this.err('upper is smaller than lower in repeat range');
    return { min, max, len: k + 1 };
  }

  private parseQuantifiers(atom: Node, opts: Opts): Node {
    let node = atom;
    for (;;) {
      this.skipExtended(opts);
      const c = this.peekCh();
      let min: number;
      let max: number;
      if (c === '*') {
        min = 0;
        max = Infinity;
        this.pos++;
      } else if (c === '+') {
        min = 1;
        max = Infinity;
        this.pos++;
      } else if (c === '?') {
        min = 0;
        max = 1;
        this.pos++;
      } else if (c === '{') {
        const iv = this.readInterval();
        if (iv === null) return node;
        min = iv.min;
        max = iv.max;
        this.pos += iv.len;
      } else {
        return node;
      }
      if (node.t === 'anchor') this.err('target of repeat operator is invalid');
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

  private parseAtom(opts: Opts): Node | null {
    const start = this.pos;
    const c = this.peekCh();
    switch (c) {
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

  private readName(close: string): string {
    const start = this.pos;
    let name = '';
    while (!this.eof() && this.peekCh() !== close) name += this.take();
    if (this.eof()) this.err(`invalid group name <${name}>`, start);
    this.pos++;
    if (name === '' || !/^[\p{L}\p{N}_]+$/u.test(name) || /^[0-9]/.test(name)) {
      this.err(`invalid group name <${name}>`, start);
    }
    return name;
  }

  private parseGroup(opts: Opts): Node {
    const start = this.pos;
    this.pos++;
    if (this.peekCh() !== '?') {
      const num = ++this.groupCount;
      this.names[num - 1] = null;
      const node: Node = { t: 'group', kind: 'capture', num, body: { t: 'seq', items: [] } };
      this.groupNodes[num - 1] = node;
      node.body = this.parseAlt(opts);
      this.expectClose(start);
      return node;
    }
    this.pos++;
    const c = this.peekCh();
    let kind: GroupKind;
    if (c === '#') {
      while (!this.eof() && this.peekCh() !== ')') this.pos++;
      this.expectClose(start);
      return { t: 'seq', items: [] };
    } else if (c === ':') {
      kind = 'plain';
      this.pos++;
    } else if (c === '=') {
      kind = 'ahead';
      this.pos++;
    } else if (c === '!') {
      kind = 'nahead';
      this.pos++;
    } else if (c === '>') {
      kind = 'atomic';
      this.pos++;
    } else if (c === '~') {
      this.pos++;
      const body = this.parseAlt(opts);
      this.expectClose(start);
      return { t: 'absent', body };
    } else if (c === '<' && (this.peekCh(1) === '=' || this.peekCh(1) === '!')) {
      kind = this.peekCh(1) === '=' ? 'behind' : 'nbehind';
      this.pos += 2;
    } else if (c === '<' || c === "'" || (c === 'P' && this.peekCh(1) === '<')) {
      if (c === 'P') this.pos++;
      const close = this.peekCh() === '<' ? '>' : "'";
      this.pos++;
      const name = this.readName(close);
      const num = ++this.groupCount;
      this.names[num - 1] = name;
      const node: Node = { t: 'group', kind: 'capture', num, body: { t: 'seq', items: [] } };
      this.groupNodes[num - 1] = node;
      node.body = this.parseAlt(opts);
      this.expectClose(start);
      return node;
    } else if (c === '(') {
      this.err('conditional groups are not supported');
    } else {
      this.err('undefined group option');
    }
    const body = this.parseAlt(opts);
    this.expectClose(start);
    return { t: 'group', kind, num: 0, body };
  }

  private hex(min: number, max: number): number | null {
    let s = '';
    while (s.length < max && /[0-9a-fA-F]/.test(this.peekCh())) s += this.take();
    return s.length < min ? null : parseInt(s, 16);
  }

  private braced(re: RegExp, base: number): number {
    const start = this.pos;
    this.pos++; // '{'
    let s = '';
    while (!this.eof() && this.peekCh() !== '}') s += this.take();
    if (this.eof() || !re.test(s.trim())) this.err('invalid code point value', start);
    this.pos++;
    const v = parseInt(s.trim(), base);
    if (v > 0x10ffff) this.err('invalid code point value', start);
    return v;
  }

  /** A character escape (after the backslash), or undefined if `c` is not one. */
  private charEscape(c: string): number | undefined {
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      this.pos++;
      return simple;
    }
    if (c === 'x') {
      this.pos++;
      if (this.peekCh() === '{') return this.braced(/^[0-9a-fA-F]{1,8}$/, 16);
      return this.hex(0, 2) ?? 0;
    }
    if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(this.cps.slice(this.pos + 1, this.pos + 5).map((x) => String.fromCodePoint(x)).join(''))) {
      this.pos++;
      return this.hex(4, 4)!;
    }
    if (c === 'o' && this.peekCh(1) === '{') {
      this.pos++;
      return this.braced(/^[0-7]{1,11}$/, 8);
    }
    if (c === '0') {
      this.pos++;
      let s = '';
      while (s.length < 2 && /[0-7]/.test(this.peekCh())) s += this.take();
      return s === '' ? 0 : parseInt(s, 8);
    }
    if (c === 'c') {
      this.pos++;
      if (this.eof()) this.err('end pattern at control');
      return this.cps[this.pos++]! & 0x1f;
    }
    return undefined;
  }

  /** A set escape (after the backslash) as inner class text, or undefined. */
  private setEscape(c: string): { inner: string; neg: boolean } | undefined {
    const lower = c.toLowerCase();
    const neg = c !== lower;
    let inner: string;
    switch (lower) {
      case 'w':
        inner = WORD_INNER;
        break;
      case 'd':
        inner = '\\p{Nd}';
        break;
      case 's':
        inner = '\\p{White_Space}';
        break;
      case 'h':
        inner = '0-9a-fA-F';
        break;
      case 'p': {
        if (this.peekCh(1) !== '{') return undefined;
        const start = this.pos;
        this.pos += 2;
        let name = '';
        while (!this.eof() && this.peekCh() !== '}') name += this.take();
        if (this.eof()) this.err('invalid character property name {' + name, start);
        this.pos++;
        let n = neg;
        if (name.startsWith('^')) {
          n = !n;
          name = name.slice(1);
        }
        const prop = propertyInner(name);
        if (prop === null) this.err(`invalid character property name {${name}}`, start);
        return { inner: prop, neg: n };
      }
      default:
        return undefined;
    }
    this.pos++;
    return { inner, neg };
  }

  private parseEscape(opts: Opts): Node | null {
    const start = this.pos;
    this.pos++;
    if (this.eof()) this.err('end pattern at escape');
    const c = this.peekCh();
    const set = this.setEscape(c);
    if (set !== undefined) return { t: 'set', src: `[${set.neg ? '^' : ''}${set.inner}]` };
    switch (c) {
      case 'b':
        this.pos++;
        return { t: 'anchor', src: `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))` };
      case 'B':
        this.pos++;
        return { t: 'anchor', src: `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))` };
      case 'A':
      case 'G':
        this.pos++;
        return { t: 'anchor', src: '^' };
      case 'z':
        this.pos++;
        return { t: 'anchor', src: '$' };
      case 'Z':
        this.pos++;
        return { t: 'anchor', src: '(?=\\n?$)' };
      case 'R':
        this.pos++;
        return { t: 'group', kind: 'atomic', num: 0, body: { t: 'set', src: '(?:\\r\\n|[\\n\\v\\f\\r\\u{85}\\u{2028}\\u{2029}])' } };
      case 'N':
        this.pos++;
        return { t: 'set', src: '[^\\n]' };
      case 'O':
        this.pos++;
        return { t: 'set', src: '[\\s\\S]' };
      case 'X':
        this.pos++;
        return { t: 'group', kind: 'atomic', num: 0, body: { t: 'set', src: '(?:\\r\\n|\\P{M}\\p{M}*|\\p{M}+)' } };
      case 'K':
      case 'y':
      case 'Y':
        this.err(`\\${c} is not supported`, start);
        break;
      case 'Q': {
        this.pos++;
        const items: Node[] = [];
        while (!this.eof() && !(this.peekCh() === '\\' && this.peekCh(1) === 'E')) {
          items.push({ t: 'char', cp: this.cps[this.pos++]!, ci: opts.i });
        }
        if (!this.eof()) this.pos += 2;
        return { t: 'seq', items };
      }
      case 'E':
        this.pos++;
        return null;
      case 'k':
      case 'g': {
        const open = this.peekCh(1);
        if (open !== '<' && open !== "'") {
          if (c === 'k') this.err('invalid backref number/name', start);
          break;
        }
        this.pos += 2;
        const close = open === '<' ? '>' : "'";
        let name = '';
        while (!this.eof() && this.peekCh() !== close) name += this.take();
        if (this.eof()) this.err('invalid backref number/name', start);
        this.pos++;
        let ref: number | string = name;
        if (/^[0-9]+$/.test(name)) {
          ref = Number(name);
        } else if (/^-[0-9]+$/.test(name)) {
          ref = this.groupCount + 1 + Number(name);
        } else if (/^\+[0-9]+$/.test(name)) {
          ref = this.groupCount + Number(name.slice(1));
        } else {
          // `\k<name+level>`: Oniguruma's recursion level, meaningless without recursion.
          ref = name.replace(/[+-][0-9]+$/, '');
        }
        if (c === 'k') {
          this.backrefs.push({ ref, offset: start });
          return { t: 'backref', ref, offset: start };
        }
        return { t: 'call', ref, offset: start };
      }
    }
    if (/[1-9]/.test(c)) {
      let s = '';
      let k = 0;
      while (/[0-9]/.test(this.peekCh(k))) s += this.peekCh(k++);
      const n = Number(s);
      if (n <= 9 || n <= this.groupCount) {
        this.pos += k;
        this.backrefs.push({ ref: n, offset: start });
        return { t: 'backref', ref: n, offset: start };
      }
      if (/[0-7]/.test(c)) {
        let o = '';
        while (o.length < 3 && /[0-7]/.test(this.peekCh())) o += this.take();
        return { t: 'char', cp: parseInt(o, 8), ci: opts.i };
      }
    }
    const ch = this.charEscape(c);
    if (ch !== undefined) return { t: 'char', cp: ch, ci: opts.i };
    this.pos++;
    return { t: 'char', cp: c.codePointAt(0)!, ci: opts.i };
  }

  private parseClass(start: number): CharClass {
    const cls: CharClass = { neg: false, ops: [] };
    if (this.peekCh() === '^') {
      cls.neg = true;
      this.pos++;
    }
    let union: ClassItem[] = [];
    let first = true;
    for (;;) {
      if (this.eof()) this.err('premature end of char-class', start);
      const c = this.peekCh();
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '&' && this.peekCh(1) === '&') {
        this.pos += 2;
        cls.ops.push(union);
        union = [];
        continue;
      }
      if (c === '[') {
        const posix = this.tryPosixBracket();
        if (posix !== null) {
          union.push(posix);
          continue;
        }
        const nestedStart = this.pos;
        this.pos++;
        union.push({ t: 'class', cls: this.parseClass(nestedStart) });
        continue;
      }
      const item = this.classAtom();
      if (item.t === 'char' && this.peekCh() === '-' && this.peekCh(1) !== ']' && this.peek(1) !== undefined) {
        const save = this.pos;
        this.pos++;
        if (this.peekCh() === '[') {
          this.pos = save;
          union.push(item);
          continue;
        }
        const hiStart = this.pos;
        const hi = this.classAtom();
        if (hi.t !== 'char') {
          union.push(item, { t: 'char', cp: 0x2d }, hi);
          continue;
        }
        if (hi.cp < item.cp) this.err('empty range in char class', hiStart);
        union.push({ t: 'range', lo: item.cp, hi: hi.cp });
        continue;
      }
      union.push(item);
    }
    cls.ops.push(union);
    return cls;
  }

  private tryPosixBracket(): ClassItem | null {
    const m = /^\[:(\^?)([a-zA-Z]+):\]/.exec(
      this.cps.slice(this.pos, this.pos + 12).map((x) => String.fromCodePoint(x)).join(''),
    );
    if (m === null) return null;
    const inner = posixInner(m[2]!.toLowerCase());
    if (inner === undefined) this.err('invalid POSIX bracket type');
    this.pos += m[0].length;
    return { t: 'set', src: `[${m[1] === '^' ? '^' : ''}${inner}]` };
  }

  private classAtom(): ClassItem {
    const c = this.peekCh();
    if (c !== '\\') {
      this.pos++;
      return { t: 'char', cp: c.codePointAt(0)! };
    }
    this.pos++;
    if (this.eof()) this.err('end pattern at escape');
    const e = this.peekCh();
    const set = this.setEscape(e);
    if (set !== undefined) return { t: 'set', src: `[${set.neg ? '^' : ''}${set.inner}]` };
    if (e === 'b') {
      this.pos++;
      return { t: 'char', cp: 8 };
    }
    if (/[1-7]/.test(e)) {
      let o = '';
      while (o.length < 3 && /[0-7]/.test(this.peekCh())) o += this.take();
      return { t: 'char', cp: parseInt(o, 8) };
    }
    const ch = this.charEscape(e);
    if (ch !== undefined) return { t: 'char', cp: ch };
    this.pos++;
    return { t: 'char', cp: e.codePointAt(0)! };
  }
}

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.branches.some(nullable);
    case 'char':
    case 'class':
    case 'set':
      return false;
    case 'group':
      return n.kind === 'capture' || n.kind === 'plain' || n.kind === 'atomic' ? nullable(n.body) : true;
    case 'repeat':
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

function hasCapture(n: Node): boolean {
  switch (n.t) {
    case 'seq':
      return n.items.some(hasCapture);
    case 'alt':
      return n.branches.some(hasCapture);
    case 'group':
      return n.kind === 'capture' || hasCapture(n.body);
    case 'repeat':
    case 'absent':
      return hasCapture(n.body);
    case 'call':
      return true;
    default:
      return false;
  }
}

class Renderer {
  jsCount = 0;
  readonly jsIndex: number[] = [];
  private readonly calling: number[] = [];
  /** Inside an inlined subexpression call, captures are not captured again. */
  private inCall = 0;

  constructor(
    private readonly parser: Parser,
    private readonly jsIgnoreCase: boolean,
    private readonly pattern: string,
  ) {}

  private charSrc(cp: number, ci: boolean): string {
    if (!ci || this.jsIgnoreCase) return esc(cp);
    const vs = caseVariants(cp);
    return vs.length === 1 ? esc(cp) : `[${vs.map(esc).join('')}]`;
  }

  private unionSrc(items: ClassItem[], ci: boolean): string {
    let out = '';
    for (const it of items) {
      switch (it.t) {
        case 'char':
          out += ci && !this.jsIgnoreCase ? caseVariants(it.cp).map(esc).join('') : esc(it.cp);
          break;
        case 'range':
          out += `${esc(it.lo)}-${esc(it.hi)}`;
          if (ci && !this.jsIgnoreCase && it.hi - it.lo <= 2000) {
            const extra = new Set<number>();
            for (let cp = it.lo; cp <= it.hi; cp++) {
              for (const v of caseVariants(cp)) if (v < it.lo || v > it.hi) extra.add(v);
            }
            for (const v of extra) out += esc(v);
          }
          break;
        case 'set':
          out += it.src;
          break;
        case 'class':
          out += this.classSrc(it.cls, ci);
          break;
      }
    }
    return out;
  }

  classSrc(cls: CharClass, ci: boolean): string {
    const neg = cls.neg ? '^' : '';
    if (cls.ops.length === 1) return `[${neg}${this.unionSrc(cls.ops[0]!, ci)}]`;
    return `[${neg}${cls.ops.map((u) => `[${this.unionSrc(u, ci)}]`).join('&&')}]`;
  }

  private helperGroup(inner: string): string {
    const h = ++this.jsCount;
    return `(?=(${inner}))\\${h}`;
  }

  render(n: Node): string {
    switch (n.t) {
      case 'seq':
        return n.items.map((x) => this.render(x)).join('');
      case 'alt':
        return n.branches.map((x) => this.render(x)).join('|');
      case 'char':
        return this.charSrc(n.cp, n.ci);
      case 'class':
        return this.classSrc(n.cls, n.ci);
      case 'set':
      case 'anchor':
        return n.src;
      case 'group':
        return this.renderGroup(n);
      case 'repeat':
        return this.renderRepeat(n);
      case 'backref':
        return `(?:\u0000${String(n.ref)}\u0000)`;
      case 'absent':
        return `(?:(?!${this.render(n.body)})[\\s\\S])*`;
      case 'call':
        return this.renderCall(n);
    }
  }

  private renderGroup(n: Extract<Node, { t: 'group' }>): string {
    switch (n.kind) {
      case 'capture': {
        if (this.inCall > 0) return `(?:${this.render(n.body)})`;
        const js = ++this.jsCount;
        this.jsIndex[n.num - 1] = js;
        this.calling.push(n.num);
        const body = this.render(n.body);
        this.calling.pop();
        return `(${body})`;
      }
      case 'plain':
        return `(?:${this.render(n.body)})`;
      case 'ahead':
        return `(?=${this.render(n.body)})`;
      case 'nahead':
        return `(?!${this.render(n.body)})`;
      case 'behind':
        return `(?<=${this.render(n.body)})`;
      case 'nbehind':
        return `(?<!${this.render(n.body)})`;
      case 'atomic': {
        const h = ++this.jsCount;
        return `(?=(${this.render(n.body)}))\\${h}`;
      }
    }
  }

  private renderRepeat(n: Extract<Node, { t: 'repeat' }>): string {
    const { min, max, lazy, possessive } = n;
    const emptyCaptures = nullable(n.body) && hasCapture(n.body);
    // JavaScript rejects an iteration that matches empty, so the groups inside it stay unset;
    // Oniguruma keeps such an iteration. Spell `?` as an alternation and give `*`/`+` a last try.
    if (emptyCaptures && min === 0 && max === 1) {
      const body = this.render(n.body);
      const alt = lazy ? `(?:|${body})` : `(?:${body}|)`;
      return possessive ? this.wrapPossessive(alt) : alt;
    }
    const q = min === 0 && max === Infinity ? '*' : min === 1 && max === Infinity ? '+' : min === 0 && max === 1 ? '?' : max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
    const body = this.render(n.body);
    const atom = this.isAtom(n.body) ? body : `(?:${body})`;
    let src = `${atom}${q}${lazy ? '?' : ''}`;
    if (emptyCaptures && max === Infinity && !lazy) src = `${src}(?:${this.render(n.body)}|)`;
    return possessive ? this.wrapPossessive(src) : src;
  }

  private wrapPossessive(src: string): string {
    const h = ++this.jsCount;
    return `(?=(${src}))\\${h}`;
  }

  private isAtom(n: Node): boolean {
    if (n.t === 'char') return true;
    if (n.t === 'class') return true;
    if (n.t === 'group') return n.kind === 'capture' || n.kind === 'plain';
    return n.t === 'set' && n.src.startsWith('[');
  }

  private renderCall(n: Extract<Node, { t: 'call' }>): string {
    let num: number;
    if (typeof n.ref === 'number') {
      num = n.ref;
    } else {
      num = this.parser.names.lastIndexOf(n.ref) + 1;
      if (num === 0) throw new RegexSyntaxError(`undefined name <${n.ref}> reference`, n.offset);
    }
    if (num === 0) throw new RegexSyntaxError('recursive subexpression calls are not supported', n.offset);
    const target = this.parser.groupNodes[num - 1];
    if (target === undefined || target.t !== 'group') {
      throw new RegexSyntaxError('undefined group reference', n.offset);
    }
    if (this.calling.includes(num)) {
      throw new RegexSyntaxError('recursive subexpression calls are not supported', n.offset);
    }
    this.calling.push(num);
    this.inCall++;
    const src = `(?:${this.render(target.body)})`;
    this.inCall--;
    this.calling.pop();
    return src;
  }

  /** Replaces backreference placeholders with JS group numbers. */
  resolve(src: string): string {
    return src.replace(/\u0000([^\u0000]*)\u0000/g, (_m, ref: string) => {
      const names = this.parser.names;
      let nums: number[];
      if (/^[0-9]+$/.test(ref)) {
        nums = [Number(ref)];
      } else {
        nums = [];
        names.forEach((nm, i) => {
          if (nm === ref) nums.push(i + 1);
        });
      }
      const js = nums.map((g) => this.jsIndex[g - 1]).filter((x): x is number => x !== undefined);
      if (js.length === 0) return '(?!)';
      // With repeated names, Oniguruma tries the groups from the last one back.
      return js.reverse().map((j) => `\\${j}`).join('|');
    });
  }

  get patternText(): string {
    return this.pattern;
  }
}

export function translateRegex(pattern: string, options: RegexOptions): TranslatedRegex {
  // A leading `(?i)` is the common idiom; the JS flag then also covers backreferences and
  // properties, unless the pattern switches it off again somewhere.
  const wholeIgnoreCase =
    options.ignoreCase ||
    (/^\(\?[msx]*i[imsx]*\)/.test(pattern) && !/\(\?[imsx]*-[imsx]*i/.test(pattern));
  const parser = new Parser(pattern);
  const ast = parser.parsePattern({ i: options.ignoreCase, x: options.extended, s: options.dotAll, m: false });
  for (const b of parser.backrefs) {
    if (typeof b.ref === 'number') {
      if (b.ref < 1 || b.ref > parser.groupCount) throw new RegexSyntaxError('invalid backref number/name', b.offset);
    } else if (!parser.names.includes(b.ref)) {
      throw new RegexSyntaxError(`undefined name <${b.ref}> reference`, b.offset);
    }
  }

  const plain = new Renderer(parser, wholeIgnoreCase, pattern);
  const source = plain.resolve(plain.render(ast));

  const wrapped = new Renderer(parser, wholeIgnoreCase, pattern);
  wrapped.jsCount = 1;
  // Group 1 holds the rest of the input from the start; the match is empty exactly when the
  // rest from its end is that same text.
  const notEmptySource = `(?=([\\s\\S]*))(?:${wrapped.resolve(wrapped.render(ast))})(?!\\1$)`;

  const groups = parser.groupCount;
  const fill = (idx: number[]): number[] => Array.from({ length: groups }, (_, i) => idx[i] ?? 0);
  return {
    source,
    notEmptySource,
    flags: wholeIgnoreCase ? 'i' : '',
    names: parser.names.slice(0, groups),
    jsIndex: fill(plain.jsIndex),
    jsIndexNotEmpty: fill(wrapped.jsIndex),
  };
}
