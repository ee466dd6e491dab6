import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/index.js';
import type { Queryable, Tx } from '../../src/db/index.js';
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
    const counts = async (q: Queryable) => [
      (await q.query("SELECT 1 FROM namespaces WHERE name LIKE 'count-%'")).rowCount,
      (await q.query("SELECT 1 FROM namespaces WHERE name = 'count-none'")).rowCount,
      (await q.query("UPDATE namespaces SET name = name WHERE name LIKE 'count-%'")).rowCount,
      (await q.query("UPDATE namespaces SET name = name WHERE name LIKE 'count-%' RETURNING name")).rowCount,
      (await q.query("DELETE FROM namespaces WHERE name = 'count-none'")).rowCount,
    ];
    expect(await counts(t.db)).toEqual([2, 0, 2, 2, 0]);
    expect(await t.db.tx((q) => counts(q))).toEqual([2, 0, 2, 2, 0]);
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

  it('the first statement of a transaction, values and all, runs inside it', async () => {
    const values = ["it's", 'back\\slash', 'x"y', '{a,b}', null, '$1', '-- no comment', 'ü'];
    const r = await t.db.tx(async (q) => {
      const first = await q.query<{ v: (string | null)[]; n: number; j: unknown; b: boolean; x: string; txid: string }>(
        `SELECT $1::text[] AS v, $2::int AS n, $3::json AS j, $4::bool AS b, '$1' || $5 AS x, txid_current()::text AS txid -- $6`,
        [values, 42, JSON.stringify({ s: "o'k\n" }), true, 'y'],
      );
      const again = await q.query<{ txid: string }>('SELECT txid_current()::text AS txid');
      return { ...first.rows[0]!, same: again.rows[0]!.txid === first.rows[0]!.txid };
    });
    expect(r).toMatchObject({ v: values, n: 42, j: { s: "o'k\n" }, b: true, x: '$1y', same: true });
  });

  it('a long value in a prepared first statement goes as a parameter, and arrives whole', async () => {
    const long = `'\\`.repeat(100_000);
    for (let i = 0; i < 2; i++) {
      const r = await t.db.tx((q) => q.query<{ v: string }>('SELECT $1::text AS v -- long', [long]));
      expect(r.rows[0]!.v).toBe(long);
    }
  });

  it('refuses a NUL in a text value, as PostgreSQL does, instead of cutting the statement', async () => {
    // Twice: the second time, the connection has the statement prepared (it is then sent as an EXECUTE).
    for (let i = 0; i < 2; i++) {
      await t.db.tx((q) => q.query('SELECT $1::text AS v', ['ok']));
      await expect(t.db.tx((q) => q.query('SELECT $1::text AS v', ['a\0b']))).rejects.toMatchObject({ code: '22021' });
      const queued = (q: Tx) => Promise.resolve(q.beforeCommit('SELECT $1::text AS v', ['a\0b']));
      await expect(t.db.tx(queued)).rejects.toMatchObject({ code: '22021' });
    }
  });

  it('runs beforeCommit statements last, in order, and hands over their results after the commit', async () => {
    const got: unknown[] = [];
    await t.db.tx(async (q) => {
      q.beforeCommit('INSERT INTO namespaces (name) VALUES ($1) RETURNING name', ['tail-a'], (r) => got.push(r.rows));
      q.beforeCommit("SELECT count(*)::int AS n FROM namespaces WHERE name LIKE 'tail-%'", [], (r) => got.push(r.rows));
      await q.query('INSERT INTO namespaces (name) VALUES ($1)', ['tail-b']);
      expect(got).toEqual([]);
    });
    expect(got).toEqual([[{ name: 'tail-a' }], [{ n: 2 }]]);
    // Only statements queued for the commit: the transaction is still one.
    await t.db.tx((q) => Promise.resolve(q.beforeCommit('INSERT INTO namespaces (name) VALUES ($1)', ['tail-c'])));
    expect((await t.db.query("SELECT 1 FROM namespaces WHERE name = 'tail-c'")).rowCount).toBe(1);
    await t.db.query("DELETE FROM namespaces WHERE name LIKE 'tail-%'");
  });

  it('beforeCommit statements run in the order they were queued, prepared or not', async () => {
    const counts: number[] = [];
    const count = (r: { rows: { n: number }[] }) => counts.push(r.rows[0]!.n);
    for (const name of ['order-a', 'order-b']) {
      await t.db.tx((q) => {
        q.beforeCommit("SELECT count(*)::int AS n FROM namespaces WHERE name LIKE 'order-%'", [], count);
        q.beforeCommit('INSERT INTO namespaces (name) VALUES ($1) -- order test', [name]);
        q.beforeCommit("SELECT count(*)::int AS n FROM namespaces WHERE name LIKE $1 || '%'", ['order-'], count);
        return Promise.resolve();
      });
    }
    expect(counts).toEqual([0, 1, 1, 2]);
    await t.db.query("DELETE FROM namespaces WHERE name LIKE 'order-%'");
  });

  it('a failing beforeCommit statement rolls the whole transaction back', async () => {
    let handed = false;
    await expect(
      t.db.tx(async (q) => {
        await q.query("INSERT INTO namespaces (name) VALUES ('tail-lost')");
        q.beforeCommit("INSERT INTO namespaces (name) VALUES ('tail-lost-2')", [], () => (handed = true));
        q.beforeCommit("INSERT INTO namespaces (name) VALUES ('tail-lost')", []);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(handed).toBe(false);
    expect((await t.db.query("SELECT 1 FROM namespaces WHERE name LIKE 'tail-lost%'")).rowCount).toBe(0);
    // The connection is usable afterwards.
    expect(await t.db.tx(async (q) => (await q.query<{ v: number }>('SELECT $1::int AS v', [7])).rows[0]!.v)).toBe(7);
  });

  it('planOnce applies to its own transaction only', async () => {
    const mode = async (q: Queryable) => (await q.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]!.plan_cache_mode;
    const expected = backend === 'postgres' ? 'force_generic_plan' : 'auto';
    expect(await t.db.tx((q) => mode(q), { planOnce: true })).toBe(expected);
    expect(await t.db.tx((q) => mode(q))).toBe('auto');
    expect(await mode(t.db)).toBe('auto');
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
