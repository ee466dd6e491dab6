import { describe, expect, it } from 'vitest';
import { regexBuiltins } from '../../src/jq/builtins/regex.js';
import { JqRuntimeError } from '../../src/jq/errors.js';
import { compile } from '../../src/jq/index.js';
import type { JsonObject, Value } from '../../src/jq/values.js';

const matchImpl = regexBuiltins.natives['_match_impl/3']!;

function matches(input: Value, re: Value, flags: Value = null): JsonObject[] {
  return matchImpl(input, re, flags, false) as JsonObject[];
}

function test(input: Value, re: Value, flags: Value = null): Value {
  return matchImpl(input, re, flags, true);
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(JqRuntimeError);
    return (e as Error).message;
  }
  throw new Error('did not fail');
}

const run = (program: string, input: Value): Value[] => compile(program).run(input);

/** `[offset, length, string]` of each match. */
const spans = (ms: JsonObject[]): Value[] => ms.map((m) => [m.offset!, m.length!, m.string!]);

describe('_match_impl', () => {
  it('reports offsets and lengths in code points', () => {
    expect(spans(matches('😀a😀b', '[ab]', 'g'))).toEqual([
      [1, 1, 'a'],
      [3, 1, 'b'],
    ]);
    // "a" + U+0304 (combining macron) is two code points.
    expect(spans(matches('a\u0304 bar', 'bar'))).toEqual([[3, 3, 'bar']]);
    const [m] = matches('x😀yz', '(?<e>.)(y)');
    expect(m).toEqual({
      offset: 1,
      length: 2,
      string: '😀y',
      captures: [
        { offset: 1, length: 1, string: '😀', name: 'e' },
        { offset: 2, length: 1, string: 'y', name: null },
      ],
    });
  });

  it('reports groups that took no part as offset -1, string null', () => {
    expect(matches('b', '(?<x>a)?b?')[0]!.captures).toEqual([{ offset: -1, string: null, length: 0, name: 'x' }]);
    // An optional group that matched empty did take part (Oniguruma, unlike JavaScript).
    expect(matches('c', '(?<x>a?)?b?')[0]!.captures).toEqual([{ offset: 0, string: '', length: 0, name: 'x' }]);
    expect(matches('aab', '(a*)*b')[0]!.captures).toEqual([{ offset: 2, length: 0, string: '', name: null }]);
  });

  it('steps over empty matches one code point at a time, ending at the end of the input', () => {
    expect(matches('abc', '', 'g').map((m) => m.offset)).toEqual([0, 1, 2, 3]);
    expect(matches('😀😀', '', 'g').map((m) => m.offset)).toEqual([0, 1, 2]);
    expect(spans(matches('baaac', 'a*', 'g'))).toEqual([
      [0, 0, ''],
      [1, 3, 'aaa'],
      [4, 0, ''],
      [5, 0, ''],
    ]);
    expect(matches('qux', '(?=u)', 'g').map((m) => m.offset)).toEqual([1]);
  });

  it('skips empty matches with n, backtracking into a longer one', () => {
    expect(matches('abc', '( )*', 'gn')).toEqual([]);
    expect(test('abc', '( )*', 'gn')).toBe(false);
    expect(spans(matches('aaa', 'a*?', 'gn'))).toEqual([
      [0, 1, 'a'],
      [1, 1, 'a'],
      [2, 1, 'a'],
    ]);
    expect(spans(matches('ab,cd ef', ',? *', 'gn'))).toEqual([
      [2, 1, ','],
      [5, 1, ' '],
    ]);
    // Linear, not quadratic, when nothing non-empty matches.
    expect(matches('y'.repeat(200000), 'x*', 'gn')).toEqual([]);
  });

  it('answers test without building match objects', () => {
    expect(test('foo', 'o+')).toBe(true);
    expect(test('foo', 'x')).toBe(false);
  });

  it('rejects bad inputs, flags and patterns with jq\'s messages', () => {
    expect(errorOf(() => matches(1, 'a'))).toBe('number (1) cannot be matched, as it is not a string');
    expect(errorOf(() => matches('a', ['a']))).toBe('array (["a"]) is not a string');
    expect(errorOf(() => matches('a', 'a', 1))).toBe('number (1) is not a string');
    expect(errorOf(() => matches('a', 'a', 'gq'))).toBe('gq is not a valid modifier string');
    expect(errorOf(() => matches('a', '('))).toBe('( (at offset 0) is not a valid regex: end pattern with unmatched parenthesis');
    expect(errorOf(() => matches('a', 'a)'))).toBe('a) (at offset 0) is not a valid regex: unmatched close parenthesis');
    expect(errorOf(() => matches('a', '*a'))).toContain('target of repeat operator is not specified');
    expect(errorOf(() => matches('a', '[a'))).toContain('premature end of char-class');
    expect(errorOf(() => matches('a', '[b-a]'))).toContain('empty range in char class');
    expect(errorOf(() => matches('a', '(a)\\2'))).toContain('invalid backref number/name');
    expect(errorOf(() => matches('a', '\\k<nope>'))).toContain('undefined name <nope> reference');
    expect(errorOf(() => matches('a', '\\p{NoSuchProperty}'))).toContain('invalid character property name');
    expect(errorOf(() => matches('a', '[[:nope:]]'))).toContain('invalid POSIX bracket type');
    expect(errorOf(() => matches('a', 'a{3,2}'))).toContain('repeat range');
    expect(errorOf(() => matches('a', '(?<x>a\\g<x>)'))).toContain('recursive');
  });

  it('keeps working past the size of its pattern cache', () => {
    for (let i = 0; i < 600; i++) expect(test(`k${i}`, `^k${i}$`)).toBe(true);
    expect(test('k1', '^k1$')).toBe(true);
  });
});

describe('Oniguruma syntax (Perl_NT, as jq compiles it)', () => {
  it('anchors ^ and $ to the whole string unless (?m); $ allows one final newline', () => {
    expect(test('a\nb', '^b')).toBe(false);
    expect(test('a\nb', '(?m)^b')).toBe(true);
    expect(test('a\nb', 'a$')).toBe(false);
    expect(test('a\nb', '(?m)a$')).toBe(true);
    expect(test('a\n', 'a$')).toBe(true);
    expect(test('a\n\n', 'a$')).toBe(false);
    expect(test('a\n', 'a\\z')).toBe(false);
    expect(test('a\n', 'a\\Z')).toBe(true);
    expect(matches('a\nb\n', '$', 'g').map((m) => m.offset)).toEqual([3, 4]);
  });

  it('lets . match a newline only with p or (?s); s changes nothing', () => {
    expect(test('a\nb', 'a.b')).toBe(false);
    expect(test('a\nb', 'a.b', 's')).toBe(false);
    expect(test('a\nb', 'a.b', 'p')).toBe(true);
    expect(test('a\nb', '(?s)a.b')).toBe(true);
    expect(test('a\rb', 'a.b')).toBe(true);
  });

  it('scopes inline options to the end of the group, across later alternatives', () => {
    const results = ['test', 'TEst', 'teST', 'TEST'].map((s) => test(s, '(?i)te(?-i)st'));
    expect(results).toEqual([true, true, false, false]);
    expect(test('D', 'a(?i)bc|d')).toBe(true);
    expect(test('aB', 'a(?i:b)')).toBe(true);
    expect(test('AB', '(?i:a)b')).toBe(false);
    expect(test('xy', 'x(?x) y')).toBe(true);
  });

  it('ignores case with full simple case folding', () => {
    expect(test('\u212a', 'k', 'i')).toBe(true);
    expect(test('ς', 'Σ', 'i')).toBe(true);
    expect(test('ẞ', 'ß', 'i')).toBe(true);
    expect(test('ΑΒΓ', '^[α-γ]+$', 'i')).toBe(true);
    expect(test('A', '[^a]', 'i')).toBe(false);
    expect(test('aA', '(a)\\1', 'i')).toBe(true);
    // Properties fold inside brackets only.
    expect(test('a', '\\p{Lu}', 'i')).toBe(false);
    expect(test('a', '[\\p{Lu}]', 'i')).toBe(true);
    expect(test('āáàä', 'a', 'i')).toBe(false);
  });

  it('strips whitespace and comments with x', () => {
    expect(test('xabcd', 'a b c # spaces are ignored', 'x')).toBe(true);
    expect(test('a b', 'a\\ b', 'x')).toBe(true);
    expect(test('a b', 'a[ ]b', 'x')).toBe(true);
  });

  it('has Unicode \\w, \\d, \\s and \\b, and \\h is just the letter h', () => {
    expect(spans(matches('a\u0304 two', '.+?\\b'))).toEqual([[0, 2, 'a\u0304']]);
    expect(spans(matches('x٣4y', '\\d+'))).toEqual([[1, 2, '٣4']]);
    expect(test('a\u00a0b', 'a\\sb')).toBe(true);
    expect(test('h', '^\\h$')).toBe(true);
    expect(test('5', '\\h')).toBe(false);
    expect(test('u0043', '^\\u0043$')).toBe(true);
  });

  it('treats [ inside brackets, && and {,n} as literal text', () => {
    expect(test('[', '^[a[b]$')).toBe(true);
    expect(test('b]', '^[a[b]]$')).toBe(true);
    expect(test('&', '^[a&&b]$')).toBe(true);
    expect(test('a{,2}', '^a{,2}$')).toBe(true);
    expect(test(']', '^[]a]$')).toBe(true);
  });

  it('supports POSIX brackets, properties and scripts', () => {
    expect(spans(matches('12abé3', '[[:alpha:]]+'))).toEqual([[2, 3, 'abé']]);
    expect(spans(matches('abc αβγ', '\\p{Greek}+'))).toEqual([[4, 3, 'αβγ']]);
    expect(spans(matches('abc123', '\\p{^L}+'))).toEqual([[3, 3, '123']]);
    expect(spans(matches('a_b c', '[[:word:]]+'))).toEqual([[0, 3, 'a_b']]);
  });

  it('supports atomic groups, possessive quantifiers, \\K, \\Q…\\E, calls and absent groups', () => {
    expect(test('aaab', '(?>a+)b')).toBe(true);
    expect(test('aaa', '(?>a+)a')).toBe(false);
    expect(test('aaa', 'a++a')).toBe(false);
    expect(spans(matches('aaaaa', 'a{2}+'))).toEqual([[0, 2, 'aa']]);
    expect(spans(matches('ab', 'a\\Kb'))).toEqual([[1, 1, 'b']]);
    expect(spans(matches('a.bb', '\\Qa.b\\E+'))).toEqual([[0, 4, 'a.bb']]);
    expect(matches('aa', '(?<x>a)\\g<x>')[0]!.captures).toEqual([{ offset: 1, length: 1, string: 'a', name: 'x' }]);
    expect(spans(matches('xxabcxx', '(?~abc)'))).toEqual([[0, 2, 'xx']]);
  });

  it('numbers groups inside atomic groups and possessive quantifiers in pattern order', () => {
    const strings = (input: string, re: string): Value[] =>
      (matches(input, re)[0]!.captures as JsonObject[]).map((c) => c.string!);
    expect(strings('ab', '(?>(a))(b)')).toEqual(['a', 'b']);
    expect(strings('aab', '(a)*+(b)')).toEqual(['a', 'b']);
    expect(strings('xaab', '(x)(?>(a+))(b)')).toEqual(['x', 'aa', 'b']);
  });

  it('fails a backreference to a group that has not closed, as Oniguruma does', () => {
    expect(test('aa', '(a\\1)')).toBe(false);
    expect(test('a', '\\1(a)')).toBe(false);
    expect(errorOf(() => test('x', '\\k<n>(?<n>x)'))).toContain('undefined name <n> reference');
  });

  it('reads \\xHH and \\ooo escapes as UTF-8 bytes, and a stray \\E or \\k as the letter', () => {
    expect(test('é', '^\\xc3\\xa9$')).toBe(true);
    expect(test('é', '^\\303\\251$')).toBe(true);
    expect(spans(matches('x€€', '\\xe2\\x82\\xac+'))).toEqual([[1, 2, '€€']]);
    expect(errorOf(() => test('x', '\\xc3'))).toContain('invalid code point value');
    expect(test('aE', 'a\\E')).toBe(true);
    expect(test('k', '^\\k$')).toBe(true);
  });

  it('refuses to repeat an assertion, and ranges with a set at either end', () => {
    expect(errorOf(() => test('a', '(?=a)*a'))).toContain('target of repeat operator is invalid');
    expect(errorOf(() => test('a', '\\b+'))).toContain('target of repeat operator is invalid');
    expect(errorOf(() => test('a', '[a-\\w]'))).toContain('unmatched range specifier in char-class');
    expect(test('-', '[\\w-]')).toBe(true);
  });

  it('captures every group, named or not, and repeats names', () => {
    expect(matches('xabcx', '(a)(?<n>b)(c)')[0]!.captures).toEqual([
      { offset: 1, length: 1, string: 'a', name: null },
      { offset: 2, length: 1, string: 'b', name: 'n' },
      { offset: 3, length: 1, string: 'c', name: null },
    ]);
    expect(matches('b', '(?<x>a)|(?<x>b)')[0]!.captures).toEqual([
      { offset: -1, string: null, length: 0, name: 'x' },
      { offset: 0, length: 1, string: 'b', name: 'x' },
    ]);
  });

  // First matches recorded from jq 1.6 with Oniguruma 6.9 (same syntax and options as jq 1.8):
  // [pattern, flags, input, [offset, length, string, [[offset, length, string, name]...]] or null].
  const ONIGURUMA: [string, string | null, string, Value][] = [
["(a)(?<n>b)(c)", null, "xabcx", [1,3,"abc",[[1,1,"a",null],[2,1,"b","n"],[3,1,"c",null]]]],
  ["\\w+", null, "héllo wörld", [0,5,"héllo",[]]],
  ["\\d+", null, "abc١٢٣def", [3,3,"١٢٣",[]]],
  ["\\s+", null, "a  b", [1,2,"  ",[]]],
  ["\\bfoo\\b", null, "a foo b", [2,3,"foo",[]]],
  ["\\Bo", null, "foo", [1,1,"o",[]]],
  ["[[:alpha:]]+", null, "12abcé3", [2,4,"abcé",[]]],
  ["[[:punct:]]+", null, "ab$+<=>^`|~!?cd", [11,2,"!?",[]]],
  ["[[:upper:]][[:lower:]]+", null, "xxHelloWorld", [2,5,"Hello",[]]],
  ["[[:^digit:]]+", null, "123abc456", [3,3,"abc",[]]],
  ["[a-z&&[^aeiou]]+", null, "aeibcdfo", null],
  ["[^[:space:]]+", null, "  abc  ", [2,3,"abc",[]]],
  ["\\p{Greek}+", null, "abc αβγ def", [4,3,"αβγ",[]]],
  ["\\p{L}+", null, "123 łódź 456", [4,4,"łódź",[]]],
  ["\\p{^L}+", null, "abc123def", [3,3,"123",[]]],
  ["\\P{Lu}+", null, "ABcdEF", [2,2,"cd",[]]],
  ["\\p{Alpha}+", null, "12ab3", [2,2,"ab",[]]],
  ["\\h+", null, "xyzdeadBEEFxyz", null],
  ["\\H+", null, "abcxyz", null],
  ["a{2,3}", null, "aaaa", [0,3,"aaa",[]]],
  ["a{,2}b", null, "aaab", null],
  ["a{2}+", null, "aaaaa", [0,2,"aa",[]]],
  ["x{a}", null, "x{a}", [0,4,"x{a}",[]]],
  ["a.c", null, "a\nc abc", [4,3,"abc",[]]],
  ["a.c", "p", "a\nc abc", [0,3,"a\nc",[]]],
  ["(?s)a.c", null, "a\nc", [0,3,"a\nc",[]]],
  ["(?m)^c", null, "ab\nc", [3,1,"c",[]]],
  ["b$", null, "ab\n", [1,1,"b",[]]],
  ["b$", null, "ab\n\n", null],
  ["b\\Z", null, "ab\n", [1,1,"b",[]]],
  ["b\\z", null, "ab\n", null],
  ["\\Aab", null, "ab", [0,2,"ab",[]]],
  ["(?i)ABC", null, "xabcx", [1,3,"abc",[]]],
  ["a(?i)bc", null, "aBC", [0,3,"aBC",[]]],
  ["a(?i)bc|d", null, "D", [0,1,"D",[]]],
  ["a(?i:b)c", null, "aBc aBC", [0,3,"aBc",[]]],
  ["(?i)[a-c]+", null, "xABCx", [1,3,"ABC",[]]],
  ["(?i:[^a])", null, "A", null],
  ["(?x) a b c # comment\n d", null, "abcd", [0,4,"abcd",[]]],
  ["a\\ b", "x", "a b", [0,3,"a b",[]]],
  ["[ ]", "x", "a b", [1,1," ",[]]],
  ["(?<year>\\d{4})-(?<mon>\\d\\d)", null, "on 2024-05-06", [3,7,"2024-05",[[3,4,"2024","year"],[8,2,"05","mon"]]]],
  ["(a)|b", null, "b", [0,1,"b",[[-1,0,null,null]]]],
  ["(a|b)*", null, "abba", [0,4,"abba",[[3,1,"a",null]]]],
  ["(a*)*b", null, "aab", [0,3,"aab",[[2,0,"",null]]]],
  ["(a?)?x", null, "x", [0,1,"x",[[0,0,"",null]]]],
  ["(a)\\1", null, "aa", [0,2,"aa",[[0,1,"a",null]]]],
  ["(?<x>a)\\k<x>", null, "aa", [0,2,"aa",[[0,1,"a","x"]]]],
  ["(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", null, "abcdefghijj", [0,11,"abcdefghijj",[[0,1,"a",null],[1,1,"b",null],[2,1,"c",null],[3,1,"d",null],[4,1,"e",null],[5,1,"f",null],[6,1,"g",null],[7,1,"h",null],[8,1,"i",null],[9,1,"j",null]]]],
  ["\\x41\\x{42}\\u0043", null, "ABC", null],
  ["\\101", null, "A", [0,1,"A",[]]],
  ["\\t", null, "a\tb", [1,1,"\t",[]]],
  ["\\Qa.b\\E+", null, "a.bb", [0,4,"a.bb",[]]],
  ["a*?b", null, "aaab", [0,4,"aaab",[]]],
  ["a+?", null, "aaa", [0,1,"a",[]]],
  ["(?=a)a", null, "a", [0,1,"a",[]]],
  ["(?!a).", null, "ab", [1,1,"b",[]]],
  ["(?<=a)b", null, "ab", [1,1,"b",[]]],
  ["(?<!a)b", null, "abcb", [3,1,"b",[]]],
  ["(?>a+)b", null, "aaab", [0,4,"aaab",[]]],
  ["a*+b", null, "aaab", [0,4,"aaab",[]]],
  ["a++", null, "aaa", [0,3,"aaa",[]]],
  ["(?#comment)a", null, "a", [0,1,"a",[]]],
  ["[\\w-]+", null, "ab-cd ef", [0,5,"ab-cd",[]]],
  ["[a\\-z]+", null, "-az", [0,3,"-az",[]]],
  ["[-a]+", null, "a-a", [0,3,"a-a",[]]],
  ["[a-]+", null, "a-a", [0,3,"a-a",[]]],
  ["[]a]+", null, "]a]", [0,3,"]a]",[]]],
  ["[^]a]+", null, "]a]bc", [3,2,"bc",[]]],
  ["[\\d\\s]+", null, "1 2 3x", [0,5,"1 2 3",[]]],
  ["[\\W]+", null, "ab!!cd", [2,2,"!!",[]]],
  ["[.]", null, "a.b", [1,1,".",[]]],
  ["\\.", null, "a.b", [1,1,".",[]]],
  ["[\\p{Lu}\\d]+", null, "abC1Dx", [2,3,"C1D",[]]],
  ["[\\x{3b1}-\\x{3b3}]+", null, "αβγδ", [0,3,"αβγ",[]]],
  ["\\R", null, "a\r\nb", [1,2,"\r\n",[]]],
  ["\\N+", null, "ab\ncd", [0,2,"ab",[]]],
  ["é", "i", "É", [0,1,"É",[]]],
  ["ß", "i", "ẞ", [0,1,"ẞ",[]]],
  ["[[:word:]]+", null, "a_b c", [0,3,"a_b",[]]],
  ["\\p{Han}+", null, "x漢字x", [1,2,"漢字",[]]],
  ["\\p{Hiragana}", null, "ひ", [0,1,"ひ",[]]],
  ["\\p{Cyrillic}+", null, "привет", [0,6,"привет",[]]],
  ["(?<a>x)|(?<a>y)", null, "y", [0,1,"y",[[-1,0,null,"a"],[0,1,"y","a"]]]],
  ["😀+", null, "a😀😀b", [1,2,"😀😀",[]]],
  ["[😀-😂]+", null, "a😁😂b", [1,2,"😁😂",[]]],
  ["(.)(.)", null, "😀é", [0,2,"😀é",[[0,1,"😀",null],[1,1,"é",null]]]],
  ["^$", null, "", [0,0,"",[]]],
  ["$", null, "abc", [3,0,"",[]]],
  ["\\Gabc", null, "abc", [0,3,"abc",[]]],
  ["a|", null, "b", [0,0,"",[]]],
  ["|a", null, "a", [0,0,"",[]]],
  ["a{0}", null, "a", [0,0,"",[]]],
  ["[[:alnum:]_]+", null, "ab_12!", [0,5,"ab_12",[]]],
  ["[[:xdigit:]]+", null, "xfaceg", [1,4,"face",[]]],
  ["[[:cntrl:]]", null, "a\u0001b", [1,1,"\u0001",[]]],
  ["[[:blank:]]+", null, "a \t b", [1,3," \t ",[]]],
  ["[[:graph:]]+", null, "  ab!  ", [2,3,"ab!",[]]],
  ["[[:print:]]+", null, "\u0001ab c\u0002", [1,4,"ab c",[]]],
  ["\\p{Nd}+", null, "a٣4b", [1,2,"٣4",[]]],
  ["\\p{Lower}+", null, "ABcdE", [2,2,"cd",[]]],
  ["\\p{Word}+", null, "a-b", [0,1,"a",[]]],
  ["\\p{Space}", null, "a b", [1,1," ",[]]],
  ["\\p{Punct}+", null, "a!?b", [1,2,"!?",[]]],
  ["\\p{Latin}+", null, "abc", [0,3,"abc",[]]],
  ["a\\/b", null, "a/b", [0,3,"a/b",[]]],
  ["\\%", null, "%", [0,1,"%",[]]],
  ["\\e", null, "\u001b", [0,1,"\u001b",[]]],
  ["\\cA", null, "\u0001", [0,1,"\u0001",[]]],
  ["[\\b]", null, "\b", [0,1,"\b",[]]],
  ["\\0", null, "\u0000", [0,1,"\u0000",[]]],
  ["\\o{101}", null, "A", [0,1,"A",[]]],
  ["(?i)\\p{Lu}", null, "a", null],
  ["[^\\n]+", null, "ab\ncd", [0,2,"ab",[]]],
  ["(?i)k", null, "K", [0,1,"K",[]]],
  ["\\X", null, "éx", [0,2,"é",[]]],
  ["a(?=b)", "g", "abab", [0,1,"a",[]]],
  ["(?<!\\d)\\d{2}(?!\\d)", null, "123 45 6789", [4,2,"45",[]]],
  ["(?:a|ab)c", null, "abc", [0,3,"abc",[]]],
  ["(a|ab)(c|bcd)(d*)", null, "abcd", [0,4,"abcd",[[0,1,"a",null],[1,3,"bcd",null],[4,0,"",null]]]],
  ["(a*)+b", null, "aab", [0,3,"aab",[[2,0,"",null]]]],
  ["[a[b]]", null, "[b]", [1,2,"b]",[]]],
  ["[a&&b]+", null, "a&b", [0,3,"a&b",[]]],
  ["\\h", null, "h", [0,1,"h",[]]],
  ["a{,2}", null, "a{,2}", [0,5,"a{,2}",[]]],
  ["\\u0043", null, "u0043", [0,5,"u0043",[]]],
  ["(?i)[[:lower:]]", null, "A", [0,1,"A",[]]],
  ["[[:lower:]]", "i", "A", [0,1,"A",[]]],
  ["[\\p{Lu}]", "i", "a", [0,1,"a",[]]],
  ["(a)\\1", "i", "aA", [0,2,"aA",[[0,1,"a",null]]]],
  ["a\\Kb", null, "ab", [1,1,"b",[]]],
  ["(?<x>a)\\g<x>", null, "aa", [0,2,"aa",[[1,1,"a","x"]]]],
  ["(?~abc)", null, "xxabcxx", [0,2,"xx",[]]],
  ["a(?i)bc|d", null, "aBC", [0,3,"aBC",[]]],
  ["(?i:a)b", null, "AB", null],
  ["x(?x) y", null, "xy", [0,2,"xy",[]]],
  ["\\y", null, "x", [0,0,"",[]]],
  ["[[:^alpha:]]+", null, "ab12cd", [2,2,"12",[]]],
  ["\\d{2,}?", null, "12345", [0,2,"12",[]]],
  ["[\\]]", null, "]", [0,1,"]",[]]],
  ["[a\\]]+", null, "a]", [0,2,"a]",[]]],
  ["[\\[]", null, "[", [0,1,"[",[]]],
  ["\\p{^Lu}", null, "A b", [1,1," ",[]]],
  ["\\P{^Lu}", null, "aB", [1,1,"B",[]]],
  ["(?i)σ", null, "ς", [0,1,"ς",[]]],
  ["(?i)[α-γ]+", null, "ΑΒΓ", [0,3,"ΑΒΓ",[]]],
  ["[^a]", "i", "A", null],
  ["(?i)[^a]", null, "A", null],
  ["(a)|(b)", null, "b", [0,1,"b",[[-1,0,null,null],[0,1,"b",null]]]],
  ["a(?=(b))", null, "ab", [0,1,"a",[[1,1,"b",null]]]],
  ["(?!(a))b", null, "b", [0,1,"b",[[-1,0,null,null]]]],
  ];

  it('agrees with Oniguruma on the first match', () => {
    const wrong = ONIGURUMA.filter(([re, flags, input, expected]) => {
      const [m] = matches(input, re, flags);
      const got: Value =
        m === undefined
          ? null
          : [m.offset!, m.length!, m.string!, (m.captures as JsonObject[]).map((c) => [c.offset!, c.length!, c.string!, c.name!])];
      return JSON.stringify(got) !== JSON.stringify(expected);
    });
    expect(wrong).toEqual([]);
  });
});

describe('regex builtins written in jq', () => {
  it('match, test and capture take a string or a [regex, flags] array', () => {
    expect(run('[match(["foo", "ig"]) | .offset]', 'foo bar FOO')).toEqual([[0, 8]]);
    expect(run('test(["FOO", "i"])', 'foo')).toEqual([true]);
    expect(run('test(["o"])', 'foo')).toEqual([true]);
    expect(run('try test({}) catch .', 'foo')).toEqual(['object not a string or array']);
    expect(run('capture("(?<a>[a-z]+)-(?<n>[0-9]+)")', 'xyzzy-14')).toEqual([{ a: 'xyzzy', n: '14' }]);
    expect(run('[capture("(?<d>\\\\d)"; "g")]', 'a1b2')).toEqual([[{ d: '1' }, { d: '2' }]]);
    expect(run('capture("(?<x>a)?b")', 'b')).toEqual([{ x: null }]);
  });

  it('scan emits strings, or arrays of groups', () => {
    expect(run('[scan("c")]', 'abcdefabc')).toEqual([['c', 'c']]);
    expect(run('[scan("(a+)(b+)")]', 'abaabb')).toEqual([
      [
        ['a', 'b'],
        ['aa', 'bb'],
      ],
    ]);
    expect(run('[scan("B+"; "i")]', 'abBbc')).toEqual([['bBb']]);
  });

  it('split/2 and splits cut at every match', () => {
    expect(run('split(", *"; null)', 'ab,cd, ef')).toEqual([['ab', 'cd', 'ef']]);
    expect(run('[splits("")]', 'ab')).toEqual([['', 'a', 'b', '']]);
    expect(run('[splits("a+"; "i")]', 'abAABBabA')).toEqual([['', 'b', 'BB', 'b', '']]);
    expect(run('[splits(",? *"; "n")]', 'ab,cd ef,  gh')).toEqual([['ab', 'cd', 'ef', 'gh']]);
    expect(run('[splits("😀")]', 'a😀b😀')).toEqual([['a', 'b', '']]);
    expect(run('try split("a"; 1) catch .', 'a')).toEqual(['string ("g") and number (1) cannot be added']);
  });

  it('sub and gsub evaluate the replacement on the named captures, once per output', () => {
    expect(run('sub("^(?<head>.)"; "Head=\\(.head) Tail=")', 'abcdef')).toEqual(['Head=a Tail=bcdef']);
    expect(run('gsub("(?<d>\\\\d)"; ":\\(.d);")', 'a1b2')).toEqual(['a:1;b:2;']);
    expect(run('[gsub("p"; "a", "b")]', 'p')).toEqual([['a', 'b']]);
    expect(run('[gsub("(?<a>.)"; "\\(.a|ascii_upcase)", "\\(.a|ascii_downcase)", "c")]', 'aB')).toEqual([['AB', 'ab', 'cc']]);
    expect(run('gsub(""; "-")', 'ab')).toEqual(['-a-b-']);
    expect(run('gsub("^"; ">"; "g")', 'a')).toEqual(['>a']);
    expect(run('gsub("$"; "<")', 'a')).toEqual(['a<']);
    expect(run('sub("x"; "y")', 'abc')).toEqual(['abc']);
    expect(run('gsub("(?<c>[a-z])"; .c | ascii_upcase; "i")', 'a😀b')).toEqual(['A😀B']);
    expect(run('[sub("(?<x>a)"; empty)]', 'a')).toEqual([['a']]);
  });
});
