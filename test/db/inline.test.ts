/** Values written into statements as literals, as pg would send them as parameters. */
import utils from 'pg/lib/utils.js';
import { describe, expect, it } from 'vitest';
import { literal, literals, MAX_LITERALS_LENGTH, NulInTextError } from '../../src/db/inline.js';

describe('values as literals', () => {
  it('quotes values as pg sends them: text, numbers, booleans, arrays, JSON, NULL', () => {
    expect([
      literal("it's"),
      literal(5),
      literal(false),
      literal(['a"b', null, 'c\\d']),
      literal('{"k":1}'),
      literal(null),
      literal(undefined),
    ]).toEqual([`'it''s'`, `'5'`, `'false'`, ` E'{"a\\\\"b",NULL,"c\\\\\\\\d"}'`, `'{"k":1}'`, 'NULL', 'NULL']);
  });

  it('quotes text exactly as pg.escapeLiteral does', () => {
    for (const text of ['', 'plain', "it's", "''", 'a\\b', "a'b\\c", "\\'\\'", 'ü ✓ \n\t', JSON.stringify({ s: "o'k\\n" })]) {
      expect(literal(text)).toBe(utils.escapeLiteral(text));
    }
  });

  it('writes bytes as bytea hex', () => {
    expect(literal(Buffer.from([0, 255]))).toBe(` E'\\\\x00ff'`);
  });

  it('refuses a NUL in text, which would end the statement', () => {
    expect(() => literal('a\0b')).toThrow(NulInTextError);
    expect(() => literal(['ok', 'a\0b'])).toThrow(NulInTextError);
  });

  it('gives up on values too long to be worth writing in', () => {
    expect(literals(['a', null, 7])).toEqual([`'a'`, 'NULL', `'7'`]);
    expect(literals(['x'.repeat(MAX_LITERALS_LENGTH)])).toEqual([`'${'x'.repeat(MAX_LITERALS_LENGTH)}'`]);
    expect(literals(['x'.repeat(MAX_LITERALS_LENGTH), 'y'])).toBeUndefined();
  });
});
