/** The small helpers the engine imports: durations, globs and JSON Schema checks. */
import { describe, expect, it } from 'vitest';
import { compileJsonSchema, JsonSchemaError, matchesCode, matchesGlob, parseDuration } from '../../src/language/index.js';

describe('parseDuration', () => {
  it('converts ISO-8601 durations to milliseconds', () => {
    expect(parseDuration('PT30S')).toBe(30_000);
    expect(parseDuration('PT1.5S')).toBe(1_500);
    expect(parseDuration('PT0.0004S')).toBe(0);
    expect(parseDuration('PT5M')).toBe(300_000);
    expect(parseDuration('PT1H')).toBe(3_600_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(parseDuration('P1W')).toBe(604_800_000);
    expect(parseDuration('P1DT1H1M1S')).toBe(90_061_000);
    expect(parseDuration('P1M')).toBe(30 * 86_400_000);
    expect(parseDuration('P1Y')).toBe(365 * 86_400_000);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'P', 'PT', 'P1', '30S', 'PT1H30', 'P1.5D', 'PT-1S', ' PT1S', 'P1DT']) {
      expect(() => parseDuration(bad)).toThrow(RangeError);
    }
    expect(() => parseDuration(`P${'9'.repeat(20)}Y`)).toThrow(/too long/);
  });
});

describe('globs', () => {
  it('* matches any run of characters and the whole code must match', () => {
    expect(matchesGlob('*', 'anything.at.all')).toBe(true);
    expect(matchesGlob('*', '')).toBe(true);
    expect(matchesGlob('direktiv.*', 'direktiv.schema.failed')).toBe(true);
    expect(matchesGlob('direktiv.schema.*', 'direktiv.schema.failed')).toBe(true);
    expect(matchesGlob('direktiv.schema.*', 'direktiv.jq.badCommand')).toBe(false);
    expect(matchesGlob('*.failed', 'direktiv.schema.failed')).toBe(true);
    expect(matchesGlob('a*c', 'abbbc')).toBe(true);
    expect(matchesGlob('direktiv', 'direktiv.schema.failed')).toBe(false);
    expect(matchesGlob('schema', 'direktiv.schema.failed')).toBe(false);
  });

  it('every other character stands for itself', () => {
    expect(matchesGlob('a.b', 'axb')).toBe(false);
    expect(matchesGlob('a?b', 'axb')).toBe(false);
    expect(matchesGlob('(x)+[y]', '(x)+[y]')).toBe(true);
  });

  it('error codes also accept the original ".*" as match-all', () => {
    expect(matchesCode('.*', 'direktiv.jq.badCommand')).toBe(true);
    expect(matchesCode('*', 'x')).toBe(true);
    expect(matchesCode('x.*', 'x.y')).toBe(true);
    expect(matchesCode('x.*', 'xay')).toBe(false);
  });
});

describe('compileJsonSchema', () => {
  it('checks values and explains every failure', () => {
    const check = compileJsonSchema({ type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] });
    expect(check({ email: 'ada@example.com' })).toEqual([]);
    expect(check({ email: 'no' })).toEqual(['/email: must match format "email"']);
    expect(check([])).toEqual(['(subject): must be object']);
  });

  it('understands draft-07 without $schema when the schema is only valid as draft-07', () => {
    const check = compileJsonSchema({ type: 'array', items: [{ type: 'string' }] });
    expect(check(['a', 1])).toEqual([]);
    expect(check([1])).toEqual(['/0: must be string']);
  });

  it('keeps schemas apart: the same $id in two schemas, or a meta-schema id, does no harm', () => {
    const a = compileJsonSchema({ $id: 'urn:example:same', type: 'string' });
    const b = compileJsonSchema({ $id: 'urn:example:same', type: 'number' });
    compileJsonSchema({ $id: 'http://json-schema.org/draft-07/schema', type: 'string' });
    expect([a('x'), b(1)]).toEqual([[], []]);
    expect(compileJsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'integer' })(1)).toEqual([]);
  });

  it('refuses what is not a schema', () => {
    expect(() => compileJsonSchema('object')).toThrow(JsonSchemaError);
    expect(() => compileJsonSchema({ type: 'nothing' })).toThrow(JsonSchemaError);
    expect(() => compileJsonSchema({ $ref: '#/definitions/missing' })).toThrow(JsonSchemaError);
  });
});
