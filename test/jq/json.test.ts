import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JqRuntimeError } from '../../src/jq/errors.js';
import { parseJson, parseNumberLiteral } from '../../src/jq/json.js';
import type { Value } from '../../src/jq/values.js';

function errorOf(text: string): string {
  try {
    parseJson(text);
  } catch (e) {
    expect(e).toBeInstanceOf(JqRuntimeError);
    return (e as Error).message;
  }
  throw new Error(`parsed without error: ${text}`);
}

// A leading byte order mark is stripped by jq but refused by JSON.parse: it forces the slow path.
const BOM = '\ufeff';

describe('parseJson: valid JSON', () => {
  it('reads what JSON.parse reads, on both paths', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const expected = JSON.parse(text) as Value;
        expect(parseJson(text)).toEqual(expected);
        expect(parseJson(BOM + text)).toEqual(expected);
        expect(parseJson(` \n${text}\t\r `)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('handles escapes and surrogate pairs on the slow path', () => {
    expect(parseJson(BOM + '"a\\n\\t\\"\\\\\\/\\b\\f\\r\\u00e9\\ud83d\\ude0e"')).toBe('a\n\t"\\/\b\f\ré😎');
    expect(parseJson(BOM + '[1, -0, 2.5e3, {"a": [true, false, null]}]')).toEqual([1, -0, 2500, { a: [true, false, null] }]);
  });

  it('keeps __proto__ as an own key and leaves Object.prototype alone', () => {
    for (const text of ['{"__proto__": {"x": 1}}', BOM + '{"__proto__": {"x": 1}}']) {
      const o = parseJson(text) as Record<string, Value>;
      expect(Object.keys(o)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(o, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    }
  });
});

describe('parseJson: jq extensions', () => {
  it('reads nan and NaN (with a sign) as NaN', () => {
    for (const t of ['nan', 'NaN', '-NaN', '+nan', 'NaN0']) expect(parseJson(t)).toBeNaN();
    const o = parseJson('{"a":nan}') as Record<string, number>;
    expect(o['a']).toBeNaN();
    const a = parseJson('[1,null,Infinity,-Infinity,NaN,-NaN]') as number[];
    expect(a.slice(0, 4)).toEqual([1, null, Infinity, -Infinity]);
    expect(a[4]).toBeNaN();
  });

  it('reads numbers the way decNumber does', () => {
    expect(parseJson('01')).toBe(1);
    expect(parseJson('+1')).toBe(1);
    expect(parseJson('.5')).toBe(0.5);
    expect(parseJson('1.')).toBe(1);
    expect(parseJson('1e1000')).toBe(Infinity);
    expect(parseJson('-1e1000')).toBe(-Infinity);
    expect(parseJson('infinity')).toBe(Infinity);
    expect(parseJson('-Inf')).toBe(-Infinity);
  });

  it('strips a leading byte order mark', () => {
    expect(parseJson(BOM + '"byte order mark"')).toBe('byte order mark');
  });

  it('turns a lone low surrogate escape into U+FFFD, as jq repairs it', () => {
    expect(parseJson('"\\udc00x"')).toBe('\ufffdx');
  });
});

describe('parseJson: errors read like jq', () => {
  const cases: [string, string][] = [
    ['NaN1', "Invalid numeric literal at EOF at line 1, column 4 (while parsing 'NaN1')"],
    ['NaN100000', "Invalid numeric literal at EOF at line 1, column 9 (while parsing 'NaN100000')"],
    ["{'a': 123}", "Invalid string literal; expected \", but got ' at line 1, column 5 (while parsing '{'a': 123}')"],
    ['', "Expected JSON value (while parsing '')"],
    ['  ', "Expected JSON value (while parsing '  ')"],
    ['1 2', "Unexpected extra JSON values (while parsing '1 2')"],
    ['[1 2]', "Expected separator between values at line 1, column 5 (while parsing '[1 2]')"],
    ['[1,]', "Expected another array element at line 1, column 4 (while parsing '[1,]')"],
    ['{"a":1,}', 'Expected another key-value pair at line 1, column 8 (while parsing \'{"a":1,}\')'],
    ['{"a"}', 'Objects must consist of key:value pairs at line 1, column 5 (while parsing \'{"a"}\')'],
    ['{1:2}', "Object keys must be strings at line 1, column 3 (while parsing '{1:2}')"],
    [':', "Expected string key before ':' at line 1, column 1 (while parsing ':')"],
    ['[1]]', "Unmatched ']' at line 1, column 4 (while parsing '[1]]')"],
    ['}', "Unmatched '}' at line 1, column 1 (while parsing '}')"],
    ['tru', "Invalid literal at EOF at line 1, column 3 (while parsing 'tru')"],
    ['nul', "Invalid literal at EOF at line 1, column 3 (while parsing 'nul')"],
    ['"abc', 'Unfinished string at EOF at line 1, column 4 (while parsing \'"abc\')'],
    ['[', "Unfinished JSON term at EOF at line 1, column 1 (while parsing '[')"],
    ['"a\tb"', 'Invalid string: control characters from U+0000 through U+001F must be escaped at line 1, column 5 (while parsing \'"a\tb"\')'],
    ['"\\v"', 'Invalid escape at line 1, column 4 (while parsing \'"\\v"\')'],
    ['"\\u00"', 'Invalid \\uXXXX escape at line 1, column 6 (while parsing \'"\\u00"\')'],
    ['"\\ud800"', 'Invalid \\uXXXX\\uXXXX surrogate pair escape at line 1, column 8 (while parsing \'"\\ud800"\')'],
    ['1\n2x', "Invalid numeric literal at EOF at line 2, column 2 (while parsing '1\n2x')"],
    // Columns count UTF-8 bytes.
    ['é', "Invalid numeric literal at EOF at line 1, column 2 (while parsing 'é')"],
    // jq prints the text with %.*s, which stops at a NUL.
    ['x\u0000y', "Invalid numeric literal at EOF at line 1, column 3 (while parsing 'x')"],
  ];
  it.each(cases)('%j', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });
});

describe('parseJson: depth limit', () => {
  it('accepts 10000 nested arrays and refuses 10001', () => {
    expect(() => parseJson('['.repeat(10000) + ']'.repeat(10000))).not.toThrow();
    expect(errorOf('['.repeat(10001) + ']'.repeat(10001))).toMatch(
      /^Exceeds depth limit for parsing at line 1, column 10001 \(while parsing '\[\[\[/,
    );
  });

  it('counts a pending object key as a level, as jq does', () => {
    const nest = (n: number, inner: string) => '{"a":'.repeat(n) + inner + '}'.repeat(n);
    expect(() => parseJson(nest(5000, '1'))).not.toThrow();
    expect(errorOf(nest(5000, '[]'))).toMatch(/^Exceeds depth limit for parsing/);
  });
});

describe('parseNumberLiteral', () => {
  it('accepts decNumber syntax only', () => {
    expect(parseNumberLiteral('123')).toBe(123);
    expect(parseNumberLiteral('-1.5e3')).toBe(-1500);
    expect(parseNumberLiteral('+.5')).toBe(0.5);
    expect(parseNumberLiteral('nan')).toBeNaN();
    expect(parseNumberLiteral('-INFINITY')).toBe(-Infinity);
    for (const bad of ['', ' 1', '1 ', '0x10', '.', '-', '1e', 'e5', 'NaN1', 'in', '1_000']) {
      expect(parseNumberLiteral(bad)).toBeUndefined();
    }
  });
});
