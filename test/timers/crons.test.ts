/**
 * Scheduled starts: each tick fires exactly once with two nodes (two engines, each with its own
 * connection pool and ticker, racing on one PostgreSQL database) over three minutes of a moved
 * clock; a node back
 * after a gap fires the latest missed tick within the catch-up window once and logs the skipped
 * ones; crons follow the workflow (update, disable, delete).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/index.js';
import { DEFAULT_SETTINGS, Engine } from '../../src/engine/index.js';
import { eventBus, noActionService, variableStore, workflowCatalog } from '../../src/server/adapters.js';
import type { Db } from '../../src/db/index.js';
import * as logs from '../../src/logs/index.js';
import { CronTicker, installCronHooks } from '../../src/timers/index.js';
import * as workflows from '../../src/workflows/index.js';
import { BACKENDS } from '../helpers/db.js';
import { emptySecrets, startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

installCronHooks();

const NS = 'clock';
const yaml = (id: string, cron: string) => `id: ${id}
start:
  type: scheduled
  cron: '${cron}'
states:
- id: a
  type: noop
`;

const quiet = pino({ level: 'silent' });

async function nextTick(db: Db, wf: string): Promise<Date> {
  const { rows } = await db.query<{ next_tick: Date }>('SELECT next_tick FROM crons WHERE workflow = $1', [wf]);
  return new Date(rows[0]!.next_tick);
}

const cronInstances = async (db: Db, wf: string) =>
  Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM instances WHERE workflow = $1 AND invoked_by->>'kind' = 'cron'`, [wf])).rows[0]!.n);

describe('cron ticks with two nodes on one PostgreSQL database', () => {
  let e: TestEngine;
  let other: Db;
  let node2: Engine;
  beforeAll(async () => {
    e = await startTestEngine('postgres');
    other = await openPostgres({ connection: e.t.connection!, poolSize: 4 });
    node2 = new Engine({
      db: other,
      settings: { ...DEFAULT_SETTINGS, pollMs: 200 },
      workflows: workflowCatalog,
      variables: variableStore,
      actions: noActionService,
      secrets: emptySecrets,
      events: eventBus(() => node2),
      logger: quiet,
    });
    await node2.start();
  });
  afterAll(async () => {
    await node2.stop();
    await other.close();
    await e.stop();
  });

  it('a tick every minute for three minutes: exactly three instances', async () => {
    await e.deploy(NS, yaml('every-minute', '* * * * *'));
    const first = await nextTick(e.t.db, 'every-minute');
    const a = new CronTicker({ db: e.t.db, starter: e.engine, logger: quiet });
    const b = new CronTicker({ db: other, starter: node2, logger: quiet });
    // Before the first tick: nothing.
    await Promise.all([a.tick(new Date(first.getTime() - 1000)), b.tick(new Date(first.getTime() - 1000))]);
    expect(await cronInstances(e.t.db, 'every-minute')).toBe(0);
    for (let m = 0; m < 3; m++) {
      const at = new Date(first.getTime() + m * 60_000 + 50);
      // Both nodes race for the tick, several times each.
      await Promise.all([a.tick(at), b.tick(at), a.tick(at), b.tick(at)]);
    }
    expect(await cronInstances(e.t.db, 'every-minute')).toBe(3);
    const ids = (await e.t.db.query<{ id: string }>(`SELECT id FROM instances WHERE workflow = 'every-minute'`)).rows.map((r) => r.id);
    // Both nodes' workers run whatever was started: every instance completes.
    for (const id of ids) expect((await e.engine.waitForEnd(id, 10_000))!.status).toBe('complete');
    expect((await nextTick(e.t.db, 'every-minute')).getTime()).toBe(first.getTime() + 3 * 60_000);
  });

  it('back after a gap: the latest missed tick fires once if it is within the catch-up window; the rest are logged', async () => {
    await e.deploy(NS, yaml('gap', '* * * * *'));
    const first = await nextTick(e.t.db, 'gap');
    const a = new CronTicker({ db: e.t.db, starter: e.engine, logger: quiet, catchUpMs: 60_000 });
    // Ten minutes later (+20 s): the tick of minute 10 is 20 s old, so it fires; nine are skipped.
    await a.tick(new Date(first.getTime() + 10 * 60_000 + 20_000));
    expect(await cronInstances(e.t.db, 'gap')).toBe(1);
    const lines = (await logs.read(e.t.db, { namespace: NS }, { offset: 0, limit: 100 })).items.map((l) => l.msg);
    expect(lines.some((l) => l.startsWith('workflow gap: skipped 10 scheduled tick(s)'))).toBe(true);
    // A gap whose last tick is older than the window fires nothing.
    const strict = new CronTicker({ db: e.t.db, starter: e.engine, logger: quiet, catchUpMs: 5_000 });
    const next = await nextTick(e.t.db, 'gap');
    await strict.tick(new Date(next.getTime() + 30_000));
    expect(await cronInstances(e.t.db, 'gap')).toBe(1);
  });
});

describe.each(BACKENDS)('crons follow the workflow on %s', (backend) => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('created with it, kept across an update of the same cron, replaced by another, removed when disabled or deleted', async () => {
    await e.deploy(NS, yaml('follows', '*/5 * * * *'));
    const t1 = await nextTick(e.t.db, 'follows');
    expect(t1.getUTCMinutes() % 5).toBe(0);
    await e.deploy(NS, yaml('follows', '*/5 * * * *'));
    expect((await nextTick(e.t.db, 'follows')).getTime()).toBe(t1.getTime());
    await e.deploy(NS, yaml('follows', '@hourly'));
    expect((await nextTick(e.t.db, 'follows')).getUTCMinutes()).toBe(0);
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'follows', { active: false }));
    expect((await e.t.db.query(`SELECT 1 FROM crons WHERE workflow = 'follows'`)).rowCount).toBe(0);
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'follows', { active: true }));
    expect((await e.t.db.query(`SELECT 1 FROM crons WHERE workflow = 'follows'`)).rowCount).toBe(1);
    await e.t.db.tx((q) => workflows.remove(q, NS, 'follows'));
    expect((await e.t.db.query(`SELECT 1 FROM crons WHERE workflow = 'follows'`)).rowCount).toBe(0);
  });

  it('a fired tick runs the workflow with input {}', async () => {
    await e.deploy(NS, yaml('runs', '* * * * *'));
    const first = await nextTick(e.t.db, 'runs');
    const t = new CronTicker({ db: e.t.db, starter: e.engine, logger: quiet });
    await t.tick(new Date(first.getTime() + 10));
    const { rows } = await e.t.db.query<{ id: string }>(`SELECT id FROM instances WHERE workflow = 'runs'`);
    expect(rows).toHaveLength(1);
    const done = await e.engine.waitForEnd(rows[0]!.id, 10_000);
    expect(done).toMatchObject({ status: 'complete', output: {} });
  });
});
