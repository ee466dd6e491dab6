/**
 * Translates an Oniguruma pattern (the Perl_NT syntax jq uses) into the source of a JavaScript
 * RegExp for the `v` flag.
 *
 * Every capture group becomes an unnamed JS group and the caller maps Oniguruma group numbers
 * to JS ones through `jsIndex`, so helper groups (atomic groups, possessive quantifiers, the
 * not-empty wrapper) can sit anywhere and names can repeat, as Oniguruma allows. Literals other
 * than ASCII letters and digits are written as `\u{…}`, valid in and out of classes, so no
 * character of the pattern can change the meaning of the output.
 */
import type { CharClass, ClassItem, Node } from './regex-syntax.js';
import { RegexSyntaxError, caseVariants, esc } from './regex-syntax.js';
import { Parser } from './regex-parse.js';

export { RegexSyntaxError } from './regex-syntax.js';

export interface RegexOptions {
  ignoreCase: boolean;
  extended: boolean;
  /** Oniguruma's MULTILINE option (jq's `p` flag): `.` matches a newline. */
  dotAll: boolean;
}

export interface TranslatedRegex {
  source: string;
  /** `i` when the JS flag should do the case folding, otherwise empty. */
  flags: string;
  /** Name of each Oniguruma group, index 0 for group 1. */
  names: (string | null)[];
  /**
   * JS group numbers of each Oniguruma group, index 0 for group 1. A group rendered twice has
   * two; the last one that took part in the match holds its capture.
   */
  jsIndex: number[][];
  /** The pattern reduced to its non-empty matches (jq's `n` flag), made on demand. */
  notEmpty: () => { source: string; jsIndex: number[][] };
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
      return hasCapture(n.body);
    case 'call':
      return true;
    default:
      return false;
  }
}

function hasBackref(n: Node): boolean {
  switch (n.t) {
    case 'seq':
      return n.items.some(hasBackref);
    case 'alt':
      return n.branches.some(hasBackref);
    case 'group':
    case 'repeat':
      return hasBackref(n.body);
    case 'backref':
      return true;
    default:
      return false;
  }
}

function allCaseInsensitive(n: Node): boolean {
  switch (n.t) {
    case 'seq':
      return n.items.every(allCaseInsensitive);
    case 'alt':
      return n.branches.every(allCaseInsensitive);
    case 'char':
    case 'class':
      return n.ci;
    case 'group':
    case 'repeat':
      return allCaseInsensitive(n.body);
    default:
      return true;
  }
}

const FAIL: Node = { t: 'anchor', src: '(?!)' };
const isFail = (n: Node): boolean => n.t === 'anchor' && n.src === '(?!)';

function alternation(branches: Node[]): Node {
  const live = branches.filter((b) => !isFail(b));
  return live.length === 0 ? FAIL : live.length === 1 ? live[0]! : { t: 'alt', branches: live };
}

/** The ways `n` can match the empty string (backreferences and calls count as never). */
function onlyEmpty(n: Node): Node {
  if (!nullable(n)) return FAIL;
  switch (n.t) {
    case 'seq': {
      const items = n.items.map(onlyEmpty);
      return items.some(isFail) ? FAIL : { t: 'seq', items };
    }
    case 'alt':
      return alternation(n.branches.map(onlyEmpty));
    case 'group': {
      if (n.kind !== 'capture' && n.kind !== 'plain' && n.kind !== 'atomic') return n;
      const body = onlyEmpty(n.body);
      return isFail(body) ? FAIL : { ...n, body };
    }
    case 'repeat': {
      if (n.min === 0) return { t: 'seq', items: [] };
      const body = onlyEmpty(n.body);
      return isFail(body) ? FAIL : { ...n, body, max: n.min };
    }
    case 'backref':
    case 'call':
      return FAIL;
    default:
      return n;
  }
}

/**
 * The ways `n` can match a non-empty string, in nearly Oniguruma's order of preference, for
 * jq's `n` flag (Oniguruma backtracks out of an empty match; JS cannot be told to). Exact
 * unless an optional part prefers to match empty (`a??b?`) or a repeated part can be empty.
 */
function notEmpty(n: Node): Node {
  if (!nullable(n)) return n;
  switch (n.t) {
    case 'seq': {
      const branches: Node[] = [];
      const prefix: Node[] = [];
      for (let i = 0; i < n.items.length; i++) {
        branches.push({ t: 'seq', items: [...prefix, notEmpty(n.items[i]!), ...n.items.slice(i + 1)] });
        const e = onlyEmpty(n.items[i]!);
        if (isFail(e)) break;
        prefix.push(e);
      }
      return alternation(branches.map((b) => (b.t === 'seq' && b.items.some(isFail) ? FAIL : b)));
    }
    case 'alt':
      return alternation(n.branches.map(notEmpty));
    case 'group': {
      if (n.kind !== 'capture' && n.kind !== 'plain' && n.kind !== 'atomic') return FAIL;
      const body = notEmpty(n.body);
      return isFail(body) ? FAIL : { ...n, body };
    }
    case 'repeat': {
      if (n.max === 0) return FAIL;
      if (!nullable(n.body)) return { ...n, min: Math.max(n.min, 1) };
      const first = notEmpty(n.body);
      if (isFail(first)) return FAIL;
      const rest: Node = { ...n, min: Math.max(n.min - 1, 0), max: n.max - 1 };
      return { t: 'seq', items: [first, rest] };
    }
    case 'backref':
    case 'call':
      return n;
    default:
      return FAIL;
  }
}

const MAX_FOLDED_RANGE = 2000;

class Renderer {
  private jsCount = 0;
  readonly jsIndex: number[][] = [];
  /** Groups being rendered, to refuse recursive `\g<…>` calls. */
  private readonly open: number[] = [];

  constructor(
    private readonly parser: Parser,
    private readonly jsFold: boolean,
  ) {}

  private charSrc(cp: number, ci: boolean): string {
    if (!ci || this.jsFold) return esc(cp);
    const vs = caseVariants(cp);
    return vs.length === 1 ? esc(cp) : `[${vs.map(esc).join('')}]`;
  }

  private itemSrc(it: ClassItem, fold: boolean): string {
    switch (it.t) {
      case 'char':
        return fold ? caseVariants(it.cp).map(esc).join('') : esc(it.cp);
      case 'range': {
        let out = `${esc(it.lo)}-${esc(it.hi)}`;
        if (fold && it.hi - it.lo <= MAX_FOLDED_RANGE) {
          const extra = new Set<number>();
          for (let cp = it.lo; cp <= it.hi; cp++) {
            for (const v of caseVariants(cp)) if (v < it.lo || v > it.hi) extra.add(v);
          }
          for (const v of extra) out += esc(v);
        }
        return out;
      }
      case 'set':
        return fold && it.folded !== undefined ? it.folded : it.src;
    }
  }

  private classSrc(cls: CharClass, ci: boolean): string {
    const fold = ci && !this.jsFold;
    return `[${cls.neg ? '^' : ''}${cls.items.map((it) => this.itemSrc(it, fold)).join('')}]`;
  }

  /** The whole pattern; `\K` is only possible at the top, as a lookbehind for what precedes it. */
  renderTop(n: Node): string {
    if (n.t === 'alt') return n.branches.map((b) => this.renderTop(b)).join('|');
    if (n.t === 'seq') {
      let k = -1;
      n.items.forEach((it, i) => {
        if (it.t === 'keep') k = i;
      });
      if (k >= 0) {
        const before = n.items.slice(0, k).filter((x) => x.t !== 'keep');
        const after = n.items.slice(k + 1);
        return `(?<=${before.map((x) => this.render(x)).join('')})${after.map((x) => this.render(x)).join('')}`;
      }
    }
    return n.t === 'keep' ? '' : this.render(n);
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
        return this.renderBackref(n.ref);
      case 'call':
        return this.renderCall(n);
      case 'keep':
        throw new RegexSyntaxError('\\K is only supported at the top level of a pattern', n.offset);
    }
  }

  /** `(?>X)`: a lookahead cannot be backtracked into, and the backreference consumes its text. */
  private atomic(inner: () => string): string {
    // The helper group opens before any group inside, so it takes its number first.
    const h = ++this.jsCount;
    return `(?=(${inner()}))(?:\\${h})`;
  }

  private renderGroup(n: Extract<Node, { t: 'group' }>): string {
    switch (n.kind) {
      case 'capture': {
        const js = ++this.jsCount;
        (this.jsIndex[n.num - 1] ??= []).push(js);
        this.open.push(n.num);
        const body = this.render(n.body);
        this.open.pop();
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
      case 'atomic':
        return this.atomic(() => this.render(n.body));
    }
  }

  private renderRepeat(n: Extract<Node, { t: 'repeat' }>): string {
    return n.possessive ? this.atomic(() => this.repeatSrc(n)) : this.repeatSrc(n);
  }

  private repeatSrc(n: Extract<Node, { t: 'repeat' }>): string {
    const { min, max, lazy } = n;
    const emptyCaptures = nullable(n.body) && hasCapture(n.body);
    // JavaScript drops an iteration that matches empty, leaving its groups unset, where
    // Oniguruma keeps it: spell `?` as an alternation and give `*`/`+` one more try.
    if (emptyCaptures && min === 0 && max === 1) {
      const body = this.render(n.body);
      return lazy ? `(?:|${body})` : `(?:${body}|)`;
    }
    let q: string;
    if (max === Infinity) q = min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
    else if (min === 0 && max === 1) q = '?';
    else q = min === max ? `{${min}}` : `{${min},${max}}`;
    const body = this.render(n.body);
    const b = n.body;
    const isAtom =
      b.t === 'char' ||
      b.t === 'class' ||
      (b.t === 'set' && b.src.startsWith('[')) ||
      (b.t === 'group' && (b.kind === 'capture' || b.kind === 'plain'));
    const src = `${isAtom ? body : `(?:${body})`}${q}${lazy ? '?' : ''}`;
    return emptyCaptures && max === Infinity && !lazy ? `${src}(?:${this.render(n.body)}|)` : src;
  }

  /**
   * `\g<…>`: the called group again, inline; it captures as another copy of the same group,
   * the later copy winning, as the call's capture does in Oniguruma. Calls cannot recurse here.
   */
  private renderCall(n: Extract<Node, { t: 'call' }>): string {
    const num = typeof n.ref === 'number' ? n.ref : this.parser.names.lastIndexOf(n.ref) + 1;
    const target = num > 0 ? this.parser.groupNodes[num - 1] : undefined;
    if (target === undefined) {
      const what = typeof n.ref === 'number' ? 'undefined group reference' : `undefined name <${n.ref}> reference`;
      throw new RegexSyntaxError(what, n.offset);
    }
    if (this.open.includes(num)) {
      throw new RegexSyntaxError('recursive subexpression calls are not supported', n.offset);
    }
    return this.renderGroup(target);
  }

  /**
   * A placeholder for a backreference, resolved once all groups have numbers. Oniguruma fails a
   * reference to a group that has not closed yet, where JavaScript would match empty.
   */
  private renderBackref(ref: number | string): string {
    const nums: number[] = [];
    if (typeof ref === 'number') nums.push(ref);
    else this.parser.names.forEach((nm, i) => nm === ref && nums.push(i + 1));
    const closed = nums.filter((g) => this.jsIndex[g - 1] !== undefined && !this.open.includes(g));
    return closed.length === 0 ? '(?!)' : `(?:\u0000${closed.join(',')}\u0000)`;
  }

  /** Replaces backreference placeholders with JS group numbers. */
  resolve(src: string): string {
    return src.replace(/\u0000([^\u0000]*)\u0000/g, (_m, refs: string) => {
      const js = refs.split(',').map((g) => this.jsIndex[Number(g) - 1]!.at(-1)!);
      // With a repeated name, Oniguruma tries the groups from the last one back.
      return js
        .reverse()
        .map((j) => `\\${j}`)
        .join('|');
    });
  }
}

export function translateRegex(pattern: string, options: RegexOptions): TranslatedRegex {
  const parser = new Parser(pattern);
  const ast = parser.parsePattern({ i: options.ignoreCase, x: options.extended, s: options.dotAll, m: false });
  for (const b of parser.backrefs) {
    if (typeof b.ref === 'number' ? b.ref < 1 || b.ref > parser.groupCount : !parser.names.includes(b.ref)) {
      const what = typeof b.ref === 'number' ? 'invalid backref number/name' : `undefined name <${b.ref}> reference`;
      throw new RegexSyntaxError(what, b.offset);
    }
  }
  // Case folding is spelled out as classes, which keeps properties outside brackets exact as
  // in Oniguruma; only backreferences need the JS flag, so it is used for them.
  const jsFold = hasBackref(ast) && allCaseInsensitive(ast) && (options.ignoreCase || /\(\?[msx]*i/.test(pattern));

  const groups = parser.groupCount;
  const fill = (idx: number[][]): number[][] => Array.from({ length: groups }, (_, i) => idx[i] ?? []);
  const plain = new Renderer(parser, jsFold);
  const source = plain.resolve(plain.renderTop(ast));
  return {
    source,
    flags: jsFold ? 'i' : '',
    names: parser.names.slice(0, groups),
    jsIndex: fill(plain.jsIndex),
    notEmpty: () => {
      const r = new Renderer(parser, jsFold);
      const src = r.resolve(r.renderTop(notEmpty(ast)));
      return { source: src, jsIndex: fill(r.jsIndex) };
    },
  };
}
