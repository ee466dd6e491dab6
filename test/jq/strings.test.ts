import { describe, expect, it } from 'vitest';
import { stringBuiltins, dumpJson, splitString, utf8Length } from '../../src/jq/builtins/strings.js';
import { nativeCaller, run } from './native-helpers.js';
import type { Value } from '../../src/jq/values.js';

const { call, errorOf } = nativeCaller(stringBuiltins);

describe('tostring, tojson, fromjson', () => {
  it('prints like jq', () => {
    expect([1, 'foo', ['foo']].map((v) => call('tostring/0', v))).toEqual(['1', 'foo', '["foo"]']);
    expect([1, 'foo', ['foo']].map((v) => call('tojson/0', v))).toEqual(['1', '"foo"', '["foo"]']);
    expect(call('tojson/0', { a: NaN, b: -0, c: Infinity })).toBe('{"a":null,"b":-0,"c":1.7976931348623157e+308}');
    expect(call('tostring/0', NaN)).toBe('null');
  });

  it('prints values nested deeper than jq allows as <skipped: too deep>', () => {
    const nest = (n: number): Value => {
      let v: Value = [];
      for (let i = 0; i < n; i++) v = [v];
      return v;
    };
    // Compared as booleans: a failing toBe on 20,000-character strings floods the report.
    const ok = dumpJson(nest(10000));
    expect(ok === '['.repeat(10001) + ']'.repeat(10001)).toBe(true);
    const cut = dumpJson(nest(10001));
    expect(cut === '['.repeat(10001) + '<skipped: too deep>' + ']'.repeat(10001)).toBe(true);
    expect(dumpJson(['<skipped: too deep>'])).toBe('["<skipped: too deep>"]');
  });

  it('parses with jq extensions and errors', () => {
    expect(call('fromjson/0', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(call('fromjson/0', 'nan')).toBeNaN();
    expect(errorOf('fromjson/0', 1)).toBe('number (1) only strings can be parsed');
    expect(errorOf('fromjson/0', "{'a': 123}")).toBe(
      "Invalid string literal; expected \", but got ' at line 1, column 5 (while parsing '{'a': 123}')",
    );
  });
});

describe('tonumber, toboolean', () => {
  it('parses numbers strictly', () => {
    expect(call('tonumber/0', 5)).toBe(5);
    const ok = ['1', '3', '6.7', '.89', '-876', '+5.43', '1e3', '1.'];
    expect(ok.map((s) => call('tonumber/0', s))).toEqual([1, 3, 6.7, 0.89, -876, 5.43, 1000, 1]);
    expect(call('tonumber/0', 'nan')).toBeNaN();
    for (const bad of ['2a', ' 4', '5 ', '', '0x10', 'true']) {
      expect(errorOf('tonumber/0', bad)).toBe(`string (${JSON.stringify(bad)}) cannot be parsed as a number`);
    }
    expect(errorOf('tonumber/0', '123\u0000456')).toBe('string ("123\\u0000456") cannot be parsed as a number');
    expect(errorOf('tonumber/0', null)).toBe('null (null) cannot be parsed as a number');
    expect(errorOf('tonumber/0', [1])).toBe('array ([1]) cannot be parsed as a number');
  });

  it('parses booleans strictly', () => {
    expect(['false', 'true', false, true].map((v) => call('toboolean/0', v))).toEqual([false, true, false, true]);
    const bad: [Value, string][] = [
      [null, 'null (null)'],
      [0, 'number (0)'],
      ['tru', 'string ("tru")'],
      ['truee', 'string ("truee")'],
      ['true\u0000x', 'string ("true\\u0000x")'],
      [[], 'array ([])'],
      [{}, 'object ({})'],
    ];
    for (const [v, d] of bad) expect(errorOf('toboolean/0', v)).toBe(`${d} cannot be parsed as a boolean`);
  });
});

describe('explode, implode, case', () => {
  it('explodes to code points', () => {
    expect(call('explode/0', 'foobar')).toEqual([102, 111, 111, 98, 97, 114]);
    expect(call('explode/0', 'a😎')).toEqual([97, 128526]);
    expect(errorOf('explode/0', 1)).toBe('explode input must be a string');
  });

  it('implodes with replacement characters for invalid code points', () => {
    const input = [-1, 0, 1, 2, 3, 1114111, 1114112, 55295, 55296, 57343, 57344, 1.1, 1.9];
    expect(call('explode/0', call('implode/0', input))).toEqual([
      65533, 0, 1, 2, 3, 1114111, 65533, 55295, 65533, 65533, 57344, 1, 1,
    ]);
    expect(call('implode/0', [65, 66, 67])).toBe('ABC');
    expect(errorOf('implode/0', 123)).toBe('implode input must be an array');
    expect(errorOf('implode/0', ['a'])).toBe('string ("a") can\'t be imploded, unicode codepoint needs to be numeric');
    expect(errorOf('implode/0', [NaN])).toBe("number (null) can't be imploded, unicode codepoint needs to be numeric");
  });

  it('changes ASCII case only', () => {
    expect(call('ascii_upcase/0', 'useful but not for é')).toBe('USEFUL BUT NOT FOR é');
    expect(call('ascii_downcase/0', 'ABC Ünï')).toBe('abc Ünï');
    expect(errorOf('ascii_downcase/0', 1)).toBe('explode input must be a string');
  });
});

describe('prefixes, suffixes and trimming', () => {
  it('starts and ends', () => {
    const words = ['fo', 'foo', 'barfoo', 'foobar', 'barfoob'];
    expect(words.map((w) => call('startswith/1', w, 'foo'))).toEqual([false, true, false, true, false]);
    expect(words.map((w) => call('endswith/1', w, 'foo'))).toEqual([false, true, true, false, false]);
    expect(errorOf('startswith/1', 1, 'a')).toBe('startswith() requires string inputs');
    expect(errorOf('endswith/1', 'a', 1)).toBe('endswith() requires string inputs');
  });

  it('trims given strings', () => {
    const words = ['fo', 'foo', 'barfoo', 'foobar', 'afoo', 'foobarfoo'];
    expect(words.map((w) => call('ltrimstr/1', w, 'foo'))).toEqual(['fo', '', 'barfoo', 'bar', 'afoo', 'barfoo']);
    expect(words.map((w) => call('rtrimstr/1', w, 'foo'))).toEqual(['fo', '', 'bar', 'foobar', 'a', 'foobar']);
    expect(words.map((w) => call('trimstr/1', w, 'foo'))).toEqual(['fo', '', 'bar', 'bar', 'a', 'bar']);
    expect(call('ltrimstr/1', 'a', '')).toBe('a');
    expect(errorOf('ltrimstr/1', 'hi', 1)).toBe('startswith() requires string inputs');
    expect(errorOf('ltrimstr/1', 1, 'hi')).toBe('startswith() requires string inputs');
    expect(errorOf('rtrimstr/1', { hey: [] }, 'x')).toBe('endswith() requires string inputs');
    expect(errorOf('trimstr/1', 'x', null)).toBe('startswith() requires string inputs');
  });

  it('trims the whitespace jq knows', () => {
    const ws =
      '\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006' +
      '\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000';
    const s = ws + 'abc' + ws;
    expect(call('trim/0', s)).toBe('abc');
    expect(call('ltrim/0', s)).toBe('abc' + ws);
    expect(call('rtrim/0', s)).toBe(ws + 'abc');
    expect(call('trim/0', '\ufeffa\ufeff')).toBe('\ufeffa\ufeff');
    for (const f of ['trim/0', 'ltrim/0', 'rtrim/0']) expect(errorOf(f, 123)).toBe('trim input must be a string');
  });
});

describe('split, join, utf8bytelength', () => {
  it('splits on a plain separator', () => {
    expect(call('split/1', 'a, b,c,d, e', ', ')).toEqual(['a', 'b,c,d', 'e']);
    expect(call('split/1', ', a,b, ', ', ')).toEqual(['', 'a,b', '']);
    expect(call('split/1', 'abc', '')).toEqual(['a', 'b', 'c']);
    expect(call('split/1', '', ',')).toEqual([]);
    expect(splitString('a😎b', '')).toEqual(['a', '😎', 'b']);
    expect(errorOf('split/1', 1, ',')).toBe('split input and separator must be strings');
  });

  it('joins like jq 1.8', () => {
    expect(call('join/1', ['1', 2, true, false, 3.4], ',')).toBe('1,2,true,false,3.4');
    expect(call('join/1', ['a', 1, 2.3, true, null, false], ' ')).toBe('a 1 2.3 true  false');
    expect([[], [null], [null, null], [null, null, null]].map((a) => call('join/1', a, ','))).toEqual(['', '', ',', ',,']);
    expect(call('join/1', { a: 'x', b: 'y' }, '-')).toBe('x-y');
    expect(call('join/1', ['a', 'b'], null)).toBe('ab');
    expect(errorOf('join/1', ['1', '2', { a: { b: { c: 33 } } }], ',')).toBe(
      'string ("1,2,") and object ({"a":{"b":{"c":33}}}) cannot be added',
    );
    expect(errorOf('join/1', ['1', '2', [3, 4, 5]], ',')).toBe('string ("1,2,") and array ([3,4,5]) cannot be added');
    expect(errorOf('join/1', ['a', 'b'], 1)).toBe('string ("a") and number (1) cannot be added');
    expect(errorOf('join/1', 5, ',')).toBe('Cannot iterate over number (5)');
  });

  it('counts UTF-8 bytes', () => {
    expect(call('utf8bytelength/0', 'asdf\u03bc')).toBe(6);
    expect(utf8Length('€😎')).toBe(7);
    expect(errorOf('utf8bytelength/0', [1, 2])).toBe('array ([1,2]) only strings have UTF-8 byte length');
  });
});

describe('substring search', () => {
  it('returns overlapping code point offsets', () => {
    expect(call('_strindices/1', 'a,bc,def,ghij,klmno', ',')).toEqual([1, 4, 8, 13]);
    expect(call('_strindices/1', 'xababababax', 'aba')).toEqual([1, 3, 5, 7]);
    expect(call('_strindices/1', '🇬🇧oo', 'o')).toEqual([2, 3]);
    expect(call('_strindices/1', 'ƒoo', 'o')).toEqual([1, 2]);
    expect(call('_strindices/1', 'abc', '')).toEqual([]);
    expect(errorOf('_strindices/1', 123, 'abc')).toBe('number (123) cannot be searched, as it is not a string');
    expect(errorOf('_strindices/1', 'abc', 123)).toBe('number (123) is not a string');
  });

  it('backs index, rindex and indices', () => {
    expect(run('[(index(","), rindex(",")), indices(",")]', 'a,bc,def,ghij,klmno')).toEqual([[1, 13, [1, 4, 8, 13]]]);
    expect(run('index("!")', 'здравствуй мир!')).toEqual([14]);
    expect(run('.[:rindex("x")]', '正xyz')).toEqual(['正']);
    expect(run('index("")', '')).toEqual([null]);
    expect(run('indices([1,2])', [0, 1, 2, 3, 1, 4, 2, 5, 1, 2, 6, 7])).toEqual([[1, 8]]);
    expect(run('[index(1), rindex(1)]', [0, 1, 2, 1, 3, 1, 4])).toEqual([[1, 5]]);
  });
});

describe('small 1.8 additions', () => {
  it('abs leaves non-numbers alone', () => {
    expect([-10, -1.1, 0, 3].map((v) => call('abs/0', v))).toEqual([10, 1.1, 0, 3]);
    expect(call('abs/0', 'abc')).toBe('abc');
  });

  it('toarray, have_decnum, ascii', () => {
    expect(call('toarray/0', 1)).toEqual([1]);
    expect(call('toarray/0', [1])).toEqual([1]);
    expect(call('have_decnum/0', null)).toBe(false);
    expect(run('65 | ascii', null)).toEqual(['A']);
    expect(run('try (200 | ascii) catch .', null)).toEqual(['ascii only takes integers between 0 and 127']);
  });
});
