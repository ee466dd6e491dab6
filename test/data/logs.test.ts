import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as logs from '../../src/logs/index.js';
import type { LogLine } from '../../src/logs/index.js';
import * as namespaces from '../../src/namespaces/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('logs on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(backend);
    await namespaces.create(t.db, 'logs');
  });
  afterAll(async () => {
    await t.drop();
  });

  const write = (instanceId: string | null, ...msgs: string[]) =>
    t.db.tx(async (q) => {
      await logs.append(q, msgs.map((msg) => ({ namespace: 'logs', instanceId, level: 'info' as const, msg })));
      if (instanceId) await logs.notifyLines(q, instanceId);
    });

  it('appends many lines in one statement, in order, and reads pages', async () => {
    const msgs = Array.from({ length: 120 }, (_, i) => `line ${i}`);
    await write('logs/wf/a', ...msgs);
    await write(null, 'namespace line');
    const first = await logs.read(t.db, { instanceId: 'logs/wf/a' }, { offset: 0, limit: 50 });
    expect(first.total).toBe(120);
    expect(first.items.map((l) => l.msg)).toEqual(msgs.slice(0, 50));
    expect(first.items[0]).toMatchObject({ level: 'info' });
    expect(Date.parse(first.items[0]!.t)).not.toBeNaN();
    const last = await logs.read(t.db, { instanceId: 'logs/wf/a' }, { offset: 100, limit: 50 });
    expect(last.items.map((l) => l.msg)).toEqual(msgs.slice(100));
    const ns = await logs.read(t.db, { namespace: 'logs' }, { offset: 0, limit: 50 });
    expect(ns).toMatchObject({ total: 1, items: [{ msg: 'namespace line' }] });
    await logs.append(t.db, []);
  });

  it('keeps unusual text intact', async () => {
    const odd = ["quote ' and \" and \\ backslash", 'unicode ✓ 日本', 'new\nline', '{"json": [1,2]}', ''];
    await write('logs/wf/odd', ...odd);
    const r = await logs.read(t.db, { instanceId: 'logs/wf/odd' }, { offset: 0, limit: 50 });
    expect(r.items.map((l) => l.msg)).toEqual(odd);
  });

  it('follows new lines and stops after the instance ended and its last lines were read', async () => {
    const id = 'logs/wf/follow';
    await write(id, 'before 1', 'before 2');
    const seen: LogLine[] = [];
    let ended = false;
    const follower = logs.follow(
      t.db,
      id,
      0,
      (lines) => {
        seen.push(...lines);
      },
      () => Promise.resolve(ended),
      { pollMs: 5000 },
    );
    await waitFor(() => seen.length === 2);
    await write(id, 'during');
    await waitFor(() => seen.length === 3); // woken by the notification, well before the 5 s poll
    // The last lines and the end in one transaction, as the engine does.
    await t.db.tx(async (q) => {
      await logs.append(q, [{ namespace: 'logs', instanceId: id, level: 'error', msg: 'last' }]);
      await logs.notifyLines(q, id);
      ended = true;
      await q.query('SELECT pg_notify($1, $2)', [logs.ENDED_CHANNEL, id]);
    });
    expect(await follower.done).toBe('ended');
    expect(seen.map((l) => l.msg)).toEqual(['before 1', 'before 2', 'during', 'last']);
    expect(seen[3]!.level).toBe('error');
    const ids = seen.map((l) => l.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('resumes after a given line id, ends at once for an ended instance, and can be stopped', async () => {
    const id = 'logs/wf/resume';
    await write(id, 'one', 'two', 'three');
    const all = await logs.read(t.db, { instanceId: id }, { offset: 0, limit: 10 });
    const seen: string[] = [];
    const f = logs.follow(t.db, id, all.items[0]!.id, (lines) => void seen.push(...lines.map((l) => l.msg)), () =>
      Promise.resolve(true),
    );
    expect(await f.done).toBe('ended');
    expect(seen).toEqual(['two', 'three']);

    const g = logs.follow(t.db, 'logs/wf/never', 0, () => undefined, () => Promise.resolve(false), { pollMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    g.stop();
    expect(await g.done).toBe('stopped');
  });

  it('reads in batches when there are many new lines', async () => {
    const id = 'logs/wf/batches';
    await write(id, ...Array.from({ length: 25 }, (_, i) => `b${i}`));
    const batches: number[] = [];
    const f = logs.follow(t.db, id, 0, (lines) => void batches.push(lines.length), () => Promise.resolve(true), {
      batch: 10,
    });
    await f.done;
    expect(batches).toEqual([10, 10, 5]);
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
