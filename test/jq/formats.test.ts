import { describe, expect, it } from 'vitest';
import { applyFormat, formatBuiltins } from '../../src/jq/builtins/formats.js';
import { JqRuntimeError } from '../../src/jq/errors.js';
import { compile } from '../../src/jq/index.js';
import type { Value } from '../../src/jq/values.js';

function errorOf(name: string, v: Value): string {
  try {
    applyFormat(name, v);
  } catch (e) {
    expect(e).toBeInstanceOf(JqRuntimeError);
    return (e as Error).message;
  }
  throw new Error(`@${name} did not fail`);
}

const SAMPLE = '!()<>&\'"\t';

describe('applyFormat', () => {
  it('formats the jq.test sample with every format', () => {
    expect(applyFormat('text', SAMPLE)).toBe(SAMPLE);
    expect(applyFormat('json', SAMPLE)).toBe('"!()<>&\'\\"\\t"');
    expect(applyFormat('csv', [1, SAMPLE])).toBe('1,"!()<>&\'""\t"');
    expect(applyFormat('tsv', [1, SAMPLE])).toBe('1\t!()<>&\'"\\t');
    expect(applyFormat('html', SAMPLE)).toBe('!()&lt;&gt;&amp;&apos;&quot;\t');
    expect(applyFormat('uri', SAMPLE)).toBe('%21%28%29%3C%3E%26%27%22%09');
    expect(applyFormat('urid', applyFormat('uri', SAMPLE))).toBe(SAMPLE);
    expect(applyFormat('sh', SAMPLE)).toBe("'!()<>&'\\''\"\t'");
    expect(applyFormat('base64', SAMPLE)).toBe('ISgpPD4mJyIJ');
    expect(applyFormat('base64d', 'ISgpPD4mJyIJ')).toBe(SAMPLE);
  });

  it('formats non-strings through tostring', () => {
    expect(applyFormat('text', [1, { a: null }])).toBe('[1,{"a":null}]');
    expect(applyFormat('html', { a: '<' })).toBe('{&quot;a&quot;:&quot;&lt;&quot;}');
    expect(applyFormat('base64', 12)).toBe('MTI=');
    expect(applyFormat('uri', null)).toBe('null');
  });

  it('rejects unknown formats', () => {
    expect(errorOf('xml', 'a')).toBe('xml is not a valid format');
  });

  it('escapes NUL as \\0 in escaping formats, as jq does', () => {
    expect(applyFormat('html', 'a\u0000b')).toBe('a\\0b');
    expect(applyFormat('csv', ['a\u0000b'])).toBe('"a\\0b"');
    expect(applyFormat('tsv', ['a\u0000b\\'])).toBe('a\\0b\\\\');
    expect(applyFormat('sh', 'a\u0000b')).toBe("'a\\0b'");
  });
});

describe('@csv and @tsv', () => {
  it('renders scalars like jq', () => {
    expect(applyFormat('csv', [null, true, false, 1.5, NaN, Infinity, 'x'])).toBe(
      ',true,false,1.5,,1.7976931348623157e+308,"x"',
    );
    expect(applyFormat('tsv', [null, true, 'a\tb\r\n', 2])).toBe('\ttrue\ta\\tb\\r\\n\t2');
    expect(applyFormat('csv', [])).toBe('');
  });

  it('refuses non-arrays and nested values', () => {
    expect(errorOf('csv', 'a')).toBe('string ("a") cannot be csv-formatted, only array');
    expect(errorOf('tsv', { a: 1 })).toBe('object ({"a":1}) cannot be tsv-formatted, only array');
    expect(errorOf('csv', [1, [2]])).toBe('array ([2]) is not valid in a csv row');
    expect(errorOf('tsv', [{ a: 1 }])).toBe('object ({"a":1}) is not valid in a csv row');
  });
});

describe('@sh', () => {
  it('quotes strings and joins arrays with spaces', () => {
    expect(applyFormat('sh', "O'Hara's Ale")).toBe("'O'\\''Hara'\\''s Ale'");
    expect(applyFormat('sh', ['a b', 1, null, false, NaN])).toBe("'a b' 1 null false null");
  });

  it('refuses arrays and objects inside', () => {
    expect(errorOf('sh', [[1]])).toBe('array ([1]) can not be escaped for shell');
    expect(errorOf('sh', { a: 1 })).toBe('object ({"a":1}) can not be escaped for shell');
  });
});

describe('@uri and @urid (uri.test)', () => {
  it('keeps only unreserved characters', () => {
    expect(applyFormat('uri', '')).toBe('');
    expect(applyFormat('uri', '\b\t\n\f\r"\\')).toBe('%08%09%0A%0C%0D%22%5C');
    expect(applyFormat('uri', ',-./09:;<=>?@AZ[\\]^_`az{|}~\u007f')).toBe(
      '%2C-.%2F09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%7F',
    );
    expect(applyFormat('uri', 'a \u03bc \u2230 \ud83d\ude0e')).toBe('a%20%CE%BC%20%E2%88%B0%20%F0%9F%98%8E');
    expect(applyFormat('uri', 'a\u0000b\u0000c')).toBe('a%00b%00c');
  });

  it('decodes percent escapes', () => {
    expect(applyFormat('urid', '%08%09%0A%0C%0D%22%5C')).toBe('\b\t\n\f\r"\\');
    expect(applyFormat('urid', 'a%20%CE%BC%20%E2%88%B0%20%F0%9F%98%8E')).toBe('a \u03bc \u2230 \ud83d\ude0e');
    expect(applyFormat('urid', 'hello world')).toBe('hello world');
    expect(applyFormat('urid', 'Knäckebröd')).toBe('Knäckebröd');
    expect(applyFormat('urid', '%c3%a4b%c3%a7d%c3%ab')).toBe('äbçdë');
    expect(applyFormat('urid', 'a%00b%00c')).toBe('a\u0000b\u0000c');
  });

  it('refuses broken escapes and invalid UTF-8', () => {
    for (const s of ['abc%', 'abc%f', 'abc%g', '%FX%9F%98%8E', '%F0%93%81', '%F0%C0%81%8E', '%ED%A0%80', '%C0%80']) {
      expect(errorOf('urid', s)).toBe(`string (${JSON.stringify(s)}) is not a valid uri encoding`);
    }
  });
});

describe('@base64 and @base64d (base64.test)', () => {
  it('encodes UTF-8 bytes', () => {
    expect(applyFormat('base64', '')).toBe('');
    expect(applyFormat('base64', '<>&\'"\t')).toBe('PD4mJyIJ');
    expect(applyFormat('base64', 'foóbar\n')).toBe('Zm/Ds2Jhcgo=');
    expect(applyFormat('base64', 'This is a message')).toBe('VGhpcyBpcyBhIG1lc3NhZ2U=');
    expect(applyFormat('base64', '😎')).toBe('8J+Yjg==');
  });

  it('decodes with optional padding', () => {
    expect(applyFormat('base64d', '')).toBe('');
    expect(applyFormat('base64d', '=')).toBe('');
    expect(applyFormat('base64d', 'Zm/Ds2Jhcgo=')).toBe('foóbar\n');
    expect(applyFormat('base64d', 'cWl4YmF6Cg')).toBe('qixbaz\n');
    expect(applyFormat('base64d', 'YWJj=ignored!')).toBe('abc');
  });

  it('reports bad input like jq', () => {
    expect(errorOf('base64d', 'Not base64 data')).toBe('string ("Not base64 data") is not valid base64 data');
    expect(errorOf('base64d', 'QUJDa')).toBe('string ("QUJDa") trailing base64 byte found');
    expect(errorOf('base64d', 'é')).toBe('string ("é") is not valid base64 data');
  });

  it('repairs decoded bytes that are not UTF-8 one bad sequence at a time', () => {
    // 0xFF, then an overlong 3-byte sequence E0 80 80, then "A".
    expect(applyFormat('base64d', '/+CAgEE=')).toBe('\ufffd\ufffdA');
    // A truncated sequence at the end swallows what is left, as jq's decoder does.
    expect(applyFormat('base64d', 'QfCf')).toBe('A\ufffd');
  });
});

describe('@base32 and @base32d', () => {
  it('follows RFC 4648', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [plain, coded] of vectors) {
      expect(applyFormat('base32', plain)).toBe(coded);
      expect(applyFormat('base32d', coded)).toBe(plain);
      expect(applyFormat('base32d', coded.replace(/=+$/, ''))).toBe(plain);
    }
    expect(applyFormat('base32d', applyFormat('base32', 'μ😎'))).toBe('μ😎');
  });

  it('refuses characters outside the alphabet', () => {
    expect(errorOf('base32d', 'mzxw6')).toBe('string ("mzxw6") is not valid base32 data');
  });
});

describe('format/1 and @format strings in programs', () => {
  it('dispatches by name', () => {
    const format = formatBuiltins.natives['format/1']!;
    expect(format([1, 'a'], 'csv')).toBe('1,"a"');
    expect(() => format('x', 1)).toThrow('number (1) is not a valid format');
  });

  it('formats each interpolated value', () => {
    expect(compile('@html "<b>\\(.)</b>"').run('<script>hax</script>')).toEqual([
      '<b>&lt;script&gt;hax&lt;/script&gt;</b>',
    ]);
    expect(compile('@sh "echo \\(.)"').run("O'Hara's Ale")).toEqual(["echo 'O'\\''Hara'\\''s Ale'"]);
    expect(compile('@base64 "x\\(.)y"').run('a')).toEqual(['xYQ==y']);
  });
});
