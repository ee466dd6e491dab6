import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { parseConfigToml } from '../../src/config/toml.js';

const parse = (text: string) => parseConfigToml(text, 'config t.toml');
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('parseConfigToml', () => {
  it('parses plain TOML as smol-toml does', () => {
    const doc = parse('top = 1\n[a]\nx = "1"\n[a.b]\ny = [1,\n  2]\n');
    expect(plain(doc.data)).toEqual({ top: 1, a: { x: '1', b: { y: [1, 2] } } });
    expect(doc.lineOf(['top'])).toBe(1);
    expect(doc.lineOf(['a'])).toBe(2);
    expect(doc.lineOf(['a', 'x'])).toBe(3);
    expect(doc.lineOf(['a', 'b', 'y'])).toBe(5);
  });

  it('merges a repeated table, its sub-table after the repeat included', () => {
    const text = [
      '[flowAPI]',
      '  Endpoint = "localhost:7777"',
      '[Kernel]',
      '  Linux = "1"',
      '[flowAPI]',
      '   # comment',
      '  Bind = ":7777"',
      '  [flowAPI.Registry]',
      '  Name = "docker.io"',
    ].join('\n');
    const doc = parse(text);
    expect(plain(doc.data)).toEqual({
      flowAPI: { Endpoint: 'localhost:7777', Bind: ':7777', Registry: { Name: 'docker.io' } },
      Kernel: { Linux: '1' },
    });
    expect(doc.lineOf(['flowAPI', 'Bind'])).toBe(7);
    expect(doc.lineOf(['flowAPI', 'Registry', 'Name'])).toBe(9);
    expect(doc.lineOf(['Kernel', 'Linux'])).toBe(4);
  });

  it('a key given in two openings of a table is still an error, at the right line', () => {
    const text = '[a]\nx = 1\n[b]\ny = 2\n[a]\nx = 3\n';
    try {
      parse(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).line).toBe(6);
      expect((e as Error).message).toMatch(/^config t\.toml: line 6, column \d+: invalid TOML: .*\n {2}6 \| x = 3$/);
    }
  });

  it('does not take brackets in strings, multi-line strings and arrays for headers', () => {
    const text = [
      '[a]',
      's = """',
      '[not.a.header]',
      '"""',
      "l = '''",
      '[nor.this]',
      "'''",
      'arr = [',
      '  [1, 2],',
      '  # [comment]',
      '  "[x]",',
      ']',
      'q = "[y] # z"',
      '[b]',
      'k = 1',
      '[a]',
      'm = 2',
    ].join('\n');
    const doc = parse(text);
    expect(plain(doc.data)).toEqual({
      a: { s: '[not.a.header]\n', l: '[nor.this]\n', arr: [[1, 2], '[x]'], q: '[y] # z', m: 2 },
      b: { k: 1 },
    });
    expect(doc.lineOf(['a', 'q'])).toBe(13);
    expect(doc.lineOf(['a', 'm'])).toBe(17);
  });

  it('quoted and dotted keys and headers', () => {
    const doc = parse('[ "a.b" . c ]\n"x y".z = 1\n[ "a.b".c ]\nw = 2\n');
    expect(plain(doc.data)).toEqual({ 'a.b': { c: { 'x y': { z: 1 }, w: 2 } } });
    expect(doc.lineOf(['a.b', 'c', 'x y', 'z'])).toBe(2);
    expect(doc.lineOf(['a.b', 'c', 'w'])).toBe(4);
  });

  it('leaves arrays of tables alone', () => {
    const text = '[[t]]\nn = 1\n[t.sub]\nx = 1\n[[t]]\nn = 2\n[t.sub]\nx = 2\n';
    expect(plain(parse(text).data)).toEqual({
      t: [
        { n: 1, sub: { x: 1 } },
        { n: 2, sub: { x: 2 } },
      ],
    });
  });

  it('CRLF line endings and a BOM', () => {
    const doc = parse('\ufeff[a]\r\nx = 1\r\n[b]\r\n[a]\r\ny = "2"\r\n');
    expect(plain(doc.data)).toEqual({ a: { x: 1, y: '2' }, b: {} });
    expect(doc.lineOf(['a', 'y'])).toBe(5);
  });

  it('syntax errors name the file, the line and show it', () => {
    expect(() => parse('[a]\nx = 1\n[b]\ny = \n')).toThrow(/^config t\.toml: line 4, column \d+: invalid TOML: .*\n {2}4 \| y = $/);
    expect(() => parse('[a]\nx = "unterminated\n')).toThrow(/line 2/);
    expect(() => parse('[a\nx = 1\n')).toThrow(/line 1/);
  });
});
