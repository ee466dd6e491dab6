import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as namespaces from '../../src/namespaces/index.js';
import * as variables from '../../src/variables/index.js';
import type { VariableRef } from '../../src/variables/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

const MiB = 1024 * 1024;

const ref = (key: string, scope: VariableRef['scope'] = 'namespace', owner = ''): VariableRef => ({
  namespace: 'vars',
  scope,
  owner,
  key,
});

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/** A readable that yields `total` bytes in pieces of `piece` bytes, from a seeded pattern. */
function source(total: number, piece: number): { stream: Readable; expected: Buffer } {
  const expected = randomBytes(total);
  let at = 0;
  const stream = new Readable({
    read() {
      if (at >= total) return this.push(null);
      this.push(expected.subarray(at, at + piece));
      at += piece;
    },
  });
  return { stream, expected };
}

describe('variable keys', () => {
  it.each(['a', 'A_b.c-9', 'x'.repeat(128)])('accepts %s', (k) => expect(variables.keyProblem(k)).toBeUndefined());
  it.each(['', 'a b', 'a/b', 'x'.repeat(129), 'ü'])('refuses %j', (k) => {
    expect(variables.keyProblem(k)).toContain('invalid variable key');
    expect(() => variables.checkKey(k)).toThrow(variables.InvalidKeyError);
  });
});

describe.each(BACKENDS)('variables on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(backend);
    await namespaces.create(t.db, 'vars');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('sets, gets, replaces and deletes a value in memory', async () => {
    expect(await variables.getValue(t.db, ref('small'))).toBeNull();
    const info = await variables.setValue(t.db, ref('small'), Buffer.from('{"a":1}'), 'application/json');
    expect(info).toMatchObject({ name: 'small', size: 7, mimeType: 'application/json' });
    expect(await variables.getValue(t.db, ref('small'))).toEqual({
      data: Buffer.from('{"a":1}'),
      mimeType: 'application/json',
      size: 7,
    });
    await variables.setValue(t.db, ref('small'), Buffer.from('text'), '');
    expect(await variables.getValue(t.db, ref('small'))).toMatchObject({
      data: Buffer.from('text'),
      mimeType: 'application/octet-stream',
    });
    await variables.setValue(t.db, ref('empty'), Buffer.alloc(0), 'text/plain');
    expect(await variables.getValue(t.db, ref('empty'))).toEqual({ data: Buffer.alloc(0), mimeType: 'text/plain', size: 0 });
    expect(await variables.deleteValue(t.db, ref('small'))).toBe(true);
    expect(await variables.deleteValue(t.db, ref('small'))).toBe(false);
    await expect(variables.setValue(t.db, ref('bad key'), Buffer.from('x'), 'text/plain')).rejects.toThrow(
      variables.InvalidKeyError,
    );
  });

  it('keeps the scopes and owners apart, and lists one owner', async () => {
    await variables.setValue(t.db, ref('k'), Buffer.from('ns'), 'text/plain');
    await variables.setValue(t.db, ref('k', 'workflow', 'wf-1'), Buffer.from('wf'), 'text/plain');
    await variables.setValue(t.db, ref('k', 'instance', 'vars/wf/1'), Buffer.from('inst'), 'text/plain');
    await variables.setValue(t.db, ref('other', 'workflow', 'wf-1'), Buffer.from('o'), 'text/plain');
    expect((await variables.getValue(t.db, ref('k', 'workflow', 'wf-1')))!.data.toString()).toBe('wf');
    expect((await variables.getValue(t.db, ref('k', 'instance', 'vars/wf/1')))!.data.toString()).toBe('inst');
    const wf = await variables.list(t.db, 'vars', 'workflow', 'wf-1');
    expect(wf.total).toBe(2);
    expect(wf.items.map((v) => [v.name, v.size, v.mimeType])).toEqual([
      ['k', 2, 'text/plain'],
      ['other', 1, 'text/plain'],
    ]);
    expect(await variables.list(t.db, 'vars', 'workflow', 'wf-1', { offset: 1, limit: 1 })).toMatchObject({
      total: 2,
      items: [{ name: 'other' }],
    });
    expect(await variables.deleteOwner(t.db, 'vars', 'workflow', 'wf-1')).toBe(2);
    expect((await variables.list(t.db, 'vars', 'workflow', 'wf-1')).total).toBe(0);
  });

  it('stores values in 1 MiB chunks and streams a multi-MB value back byte-exact', async () => {
    const { stream, expected } = source(5 * MiB + 12345, 64 * 1024 + 7);
    const info = await variables.writeStream(t.db, ref('big'), stream, 'application/x-big', { maxBytes: 10 * MiB });
    expect(info).toMatchObject({ name: 'big', size: expected.length, mimeType: 'application/x-big' });
    const chunks = await t.db.query<{ n: number; max: number }>(
      `SELECT count(*)::int AS n, max(length(data))::int AS max FROM variable_chunks c JOIN variables v ON v.id = c.variable_id
       WHERE v.key = 'big'`,
    );
    expect(chunks.rows[0]).toEqual({ n: 6, max: MiB });
    const out = await variables.readStream(t.db, ref('big'));
    expect(out).toMatchObject({ name: 'big', size: expected.length, mimeType: 'application/x-big' });
    expect((await collect(out!.stream)).equals(expected)).toBe(true);
    expect((await variables.getValue(t.db, ref('big')))!.data.equals(expected)).toBe(true);
    expect(await variables.readStream(t.db, ref('absent'))).toBeNull();
  });

  it('refuses a value over the limit and keeps the previous one whole', async () => {
    await variables.setValue(t.db, ref('limited'), Buffer.from('previous'), 'text/plain');
    const { stream } = source(3 * MiB, 100_000);
    await expect(
      variables.writeStream(t.db, ref('limited'), stream, 'text/plain', { maxBytes: 2 * MiB }),
    ).rejects.toThrow(variables.VariableTooLargeError);
    expect(await variables.getValue(t.db, ref('limited'))).toMatchObject({ data: Buffer.from('previous'), size: 8 });
    const { stream: s2 } = source(2 * MiB, 100_000);
    await expect(variables.writeStream(t.db, ref('limited'), s2, 'text/plain', { maxBytes: 2 * MiB })).resolves.toMatchObject({
      size: 2 * MiB,
    });
  });

  it('writes an empty body, and a reader of a replaced value fails rather than mix two values', async () => {
    expect(await variables.writeStream(t.db, ref('none'), undefined, '', { maxBytes: 10 })).toMatchObject({ size: 0 });
    await variables.setValue(t.db, ref('moving'), Buffer.alloc(3 * MiB, 1), 'application/octet-stream');
    const reader = await variables.readStream(t.db, ref('moving'));
    const it = reader!.stream[Symbol.asyncIterator]();
    expect(((await it.next()).value as Buffer).length).toBe(MiB);
    await variables.setValue(t.db, ref('moving'), Buffer.alloc(3 * MiB, 2), 'application/octet-stream');
    await expect(async () => {
      for (;;) if ((await it.next()).done) break;
    }).rejects.toThrow(/changed while it was being read/);
  });

  it('serialises concurrent writers of one variable', async () => {
    const writes = Array.from({ length: 5 }, (_, i) =>
      t.db.tx((q) => variables.setValue(q, ref('race'), Buffer.alloc(MiB + i, i), 'application/octet-stream')),
    );
    await Promise.all(writes);
    const v = await variables.getValue(t.db, ref('race'));
    const fill = v!.data[0]!;
    expect(v!.data.length).toBe(MiB + fill);
    expect(v!.data.every((b) => b === fill)).toBe(true);
  });
});
