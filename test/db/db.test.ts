import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('database on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(backend);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('is migrated, and migrating again applies nothing', async () => {
    const r = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(r.rows[0]!.n).toBeGreaterThan(0);
    expect(await migrate(t.db)).toEqual([]);
  });

  it('rowCount is what pg says: rows of a SELECT, rows changed by a write', async () => {
    await t.db.query("INSERT INTO namespaces (name) VALUES ('count-a'), ('count-b')");
    const counts = async (q: typeof t.db) => [
      (await q.query("SELECT 1 FROM namespaces WHERE name LIKE 'count-%'")).rowCount,
      (await q.query("SELECT 1 FROM namespaces WHERE name = 'count-none'")).rowCount,
      (await q.query("UPDATE namespaces SET name = name WHERE name LIKE 'count-%'")).rowCount,
      (await q.query("UPDATE namespaces SET name = name WHERE name LIKE 'count-%' RETURNING name")).rowCount,
      (await q.query("DELETE FROM namespaces WHERE name = 'count-none'")).rowCount,
    ];
    expect(await counts(t.db)).toEqual([2, 0, 2, 2, 0]);
    expect(await t.db.tx((q) => counts(q as typeof t.db))).toEqual([2, 0, 2, 2, 0]);
    await t.db.query("DELETE FROM namespaces WHERE name LIKE 'count-%'");
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      t.db.tx(async (q) => {
        await q.query("INSERT INTO namespaces (name) VALUES ('rolled-back')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await t.db.query("SELECT 1 FROM namespaces WHERE name = 'rolled-back'");
    expect(r.rows).toEqual([]);
  });

  it('delivers NOTIFY sent inside a committed transaction', async () => {
    const got: string[] = [];
    const stop = await t.db.listen('test_channel', (p) => got.push(p));
    await t.db.tx(async (q) => {
      await q.query("SELECT pg_notify('test_channel', 'hello')");
    });
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(got).toEqual(['hello']);
  });
});
