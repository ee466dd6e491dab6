/** Values written into statements as literals, as pg would send them as parameters. */
import { describe, expect, it } from 'vitest';
import { literal, NulInTextError } from '../../src/db/inline.js';

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

  it('writes bytes as bytea hex', () => {
    expect(literal(Buffer.from([0, 255]))).toBe(` E'\\\\x00ff'`);
  });

  it('refuses a NUL in text, which would end the statement', () => {
    expect(() => literal('a\0b')).toThrow(NulInTextError);
    expect(() => literal(['ok', 'a\0b'])).toThrow(NulInTextError);
  });
});
