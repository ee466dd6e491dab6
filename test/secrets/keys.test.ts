import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as createNamespace, NamespaceNotFoundError } from '../../src/namespaces/index.js';
import {
  UnknownMasterKeyError,
  dataKeyFor,
  generateMasterKey,
  keyId,
  readDataKey,
  rotateMasterKey,
} from '../../src/secrets/index.js';
import type { MasterKeys } from '../../src/secrets/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('namespace keys on %s', (backend) => {
  let t: TestDb;
  const oldKey = generateMasterKey();
  const newKey = generateMasterKey();
  const before: MasterKeys = { current: oldKey, previous: [] };
  const names = Array.from({ length: 7 }, (_, i) => `ns-${i}x`);

  beforeAll(async () => {
    t = await createTestDb(backend);
    for (const n of names) await createNamespace(t.db, n);
  });
  afterAll(() => t.drop());

  it('creates a key on first use; concurrent callers agree', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, () => dataKeyFor(t.db, before, 'ns-0x')));
    for (const k of keys) expect(k).toEqual(keys[0]);
    expect(keys[0]!.length).toBe(32);
    expect(await dataKeyFor(t.db, before, 'ns-0x')).toEqual(keys[0]);
    const { rows } = await t.db.query<{ key_id: string; wrapped: Uint8Array }>(`SELECT key_id, wrapped FROM namespace_keys WHERE namespace = 'ns-0x'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_id).toBe(keyId(oldKey));
    expect(rows[0]!.wrapped).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(rows[0]!.wrapped).includes(keys[0]!)).toBe(false);
  });

  it('refuses a namespace that does not exist, and leaves the transaction usable', async () => {
    await expect(dataKeyFor(t.db, before, 'nope-ns')).rejects.toThrow(NamespaceNotFoundError);
    await t.db.tx(async (q) => {
      await expect(dataKeyFor(q, before, 'nope-ns')).rejects.toThrow(NamespaceNotFoundError);
      await q.query('SELECT 1');
    });
  });

  it('rotation re-wraps every key in batches; old+new keyrings work before, during and after', async () => {
    const original = new Map<string, Buffer>();
    for (const n of names) original.set(n, await dataKeyFor(t.db, before, n));
    // Step 1 done on every node: new key current, old key previous.
    const during: MasterKeys = { current: newKey, previous: [oldKey] };
    const lagging: MasterKeys = { current: oldKey, previous: [newKey] };
    for (const n of names) expect(await readDataKey(t.db, during, n)).toEqual(original.get(n));

    // Rotate half by hand-sized batches while reads go on with both keyrings.
    const rotation = rotateMasterKey(t.db, before, newKey, 3);
    const reads = Promise.all(names.flatMap((n) => [readDataKey(t.db, during, n), readDataKey(t.db, lagging, n)]));
    const [result, seen] = await Promise.all([rotation, reads]);
    expect(result).toEqual({ rewrapped: 7, keyId: keyId(newKey) });
    seen.forEach((k, i) => expect(k).toEqual(original.get(names[Math.floor(i / 2)]!)));

    const { rows } = await t.db.query<{ key_id: string; rotated_at: Date | null }>('SELECT key_id, rotated_at FROM namespace_keys');
    expect(rows).toHaveLength(7);
    for (const r of rows) {
      expect(r.key_id).toBe(keyId(newKey));
      expect(r.rotated_at).not.toBeNull();
    }
    // Step 3: the old key dropped.
    const after: MasterKeys = { current: newKey, previous: [] };
    for (const n of names) expect(await readDataKey(t.db, after, n)).toEqual(original.get(n));
    await expect(readDataKey(t.db, before, 'ns-1x')).rejects.toThrow(UnknownMasterKeyError);
    // Restartable: nothing left to do.
    expect((await rotateMasterKey(t.db, during, newKey)).rewrapped).toBe(0);
  });

  it('rotation fails, changing nothing, when a key was wrapped by a master key it is not given', async () => {
    const third = generateMasterKey();
    await expect(rotateMasterKey(t.db, { current: oldKey, previous: [] }, third)).rejects.toThrow(UnknownMasterKeyError);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM namespace_keys WHERE key_id = $1', [keyId(third)]);
    expect(rows[0]!.n).toBe(0);
  });

  it('deleting the namespace deletes its key', async () => {
    await t.db.query(`DELETE FROM namespaces WHERE name = 'ns-6x'`);
    expect(await readDataKey(t.db, { current: newKey, previous: [] }, 'ns-6x')).toBeUndefined();
  });
});
