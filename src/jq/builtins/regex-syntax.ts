/**
 * The pieces shared by the Oniguruma parser (regex-parse.ts) and the JavaScript renderer
 * (regex-translate.ts): the syntax tree, and the character sets in JS `v`-flag class syntax.
 */

export class RegexSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

/** Oniguruma options that can change inside a pattern. */
export interface Opts {
  i: boolean;
  x: boolean;
  /** Oniguruma's MULTILINE (Perl's `(?s)`, jq's `p` flag): `.` matches a newline. */
  s: boolean;
  /** Perl's `(?m)`: `^` and `$` match at line boundaries instead of only at the ends. */
  m: boolean;
}

export type ClassItem =
  | { t: 'char'; cp: number }
  | { t: 'range'; lo: number; hi: number }
  /** A class in JS syntax (`[...]`); `folded` replaces it when case is ignored. */
  | { t: 'set'; src: string; folded?: string };

export interface CharClass {
  neg: boolean;
  items: ClassItem[];
}

export type GroupKind = 'capture' | 'plain' | 'ahead' | 'nahead' | 'behind' | 'nbehind' | 'atomic';

export type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'char'; cp: number; ci: boolean }
  | { t: 'class'; cls: CharClass; ci: boolean }
  /** A rendered atom that can take a quantifier as it is (a class such as `[\p{Nd}]`). */
  | { t: 'set'; src: string }
  /** A rendered zero-width assertion; quantifying one is an error, as in Oniguruma. */
  | { t: 'anchor'; src: string }
  | { t: 'group'; kind: GroupKind; num: number; body: Node }
  | { t: 'repeat'; body: Node; min: number; max: number; lazy: boolean; possessive: boolean }
  | { t: 'backref'; ref: number | string; offset: number }
  | { t: 'call'; ref: number | string; offset: number }
  /** `\K`: the reported match starts here. */
  | { t: 'keep'; offset: number };

/** Oniguruma's Unicode word characters (Alphabetic, marks, decimal digits, connectors). */
export const WORD_INNER = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
export const WORD = `[${WORD_INNER}]`;

/** A code point as JS regex source: letters and digits as themselves, all else `\u{…}`. */
export function esc(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCodePoint(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

/** Inner text of a class (no brackets) for a POSIX bracket or property alias, or undefined. */
export function posixInner(name: string): string | undefined {
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
      return '\\p{P}';
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

const CASED_INNERS = new Set(['\\p{Uppercase}', '\\p{Lowercase}', '\\p{Lu}', '\\p{Ll}', '\\p{Lt}']);

/**
 * A set as a class item. Oniguruma folds case inside brackets, so under `i` an upper- or
 * lower-case set stands for every cased letter.
 */
export function setItem(inner: string, neg: boolean): ClassItem {
  const src = `[${neg ? '^' : ''}${inner}]`;
  return !neg && CASED_INNERS.has(inner) ? { t: 'set', src, folded: '[\\p{Cased}]' } : { t: 'set', src };
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
export function propertyInner(raw: string): string | null {
  const cached = propertyCache.get(raw);
  if (cached !== undefined) return cached;
  const norm = raw.toLowerCase().replace(/[\s_-]/g, '');
  let result: string | null = posixInner(norm) ?? null;
  if (result === null) {
    const words = raw
      .trim()
      .split(/[\s_-]+/)
      .filter((w) => w.length > 0);
    const title = words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('_');
    for (const c of [raw, title, raw.toUpperCase()]) {
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

// Blocks that hold every character with case (Unicode 15).
const CASED_BLOCKS: [number, number][] = [
  [0x0, 0x2d30],
  [0xa640, 0xa800],
  [0xab70, 0xabc0],
  [0xff21, 0xff5b],
  [0x10400, 0x10500],
  [0x10570, 0x105c0],
  [0x10c80, 0x10d00],
  [0x118a0, 0x118e0],
  [0x16e40, 0x16e80],
  [0x1e900, 0x1e944],
];

let foldClasses: Map<number, number[]> | null = null;

function isSingle(s: string): boolean {
  return s.length === (s.codePointAt(0)! > 0xffff ? 2 : 1);
}

/** Characters grouped by simple case folding, built once on first use. */
function buildFoldClasses(): Map<number, number[]> {
  const byKey = new Map<number, number[]>();
  for (const [lo, hi] of CASED_BLOCKS) {
    for (let cp = lo; cp < hi; cp++) {
      const s = String.fromCodePoint(cp);
      const lower = s.toLowerCase();
      const upper = s.toUpperCase();
      if (lower === s && upper === s) continue;
      const ul = upper.toLowerCase();
      const key = isSingle(ul) ? ul.codePointAt(0)! : isSingle(lower) ? lower.codePointAt(0)! : cp;
      const list = byKey.get(key) ?? [key];
      if (!list.includes(cp)) list.push(cp);
      byKey.set(key, list);
    }
  }
  const out = new Map<number, number[]>();
  for (const list of byKey.values()) for (const cp of list) out.set(cp, list);
  return out;
}

/** The single code points a character matches when case is ignored (simple case folding). */
export function caseVariants(cp: number): number[] {
  foldClasses ??= buildFoldClasses();
  return foldClasses.get(cp) ?? [cp];
}
