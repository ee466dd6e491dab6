/**
 * Group commit of the API's intake: requests that wait share one transaction, each keeps its own
 * answer, and one request's unknown namespace does not fail the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventIntake, installEventHooks, parseEvent } from '../../src/events/index.js';
import { NamespaceNotFoundError } from '../../src/namespaces/index.js';
import { BACKENDS } from '../helpers/db.js';
import type { ActionService } from '../../src/engine/index.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

installEventHooks();

let n = 0;
const event = (type: string, id = `g-${++n}`) =>
  parseEvent(
    { 'content-type': 'application/cloudevents+json' },
    Buffer.from(JSON.stringify({ specversion: '1.0', id, source: '/group', type, data: { n } })),
  );

describe.each(BACKENDS)('event intake on %s', (backend) => {
  let e: TestEngine;
  const NS = 'grouped';
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(NS, `id: counted
start:
  type: event
  event:
    type: group.hit
states:
- id: a
  type: noop
`);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('waiting requests share a transaction; each gets its own answer; an unknown namespace fails only its request', async () => {
    const intake = new EventIntake(e.t.db, e.engine, 1);
    const dup = event('group.hit');
    const answers = await Promise.allSettled([
      intake.accept(NS, [event('group.hit')]),
      intake.accept(NS, [event('group.hit'), event('group.miss')]),
      intake.accept(NS, [dup]),
      intake.accept('no-such-namespace', [event('group.hit')]),
      intake.accept(NS, [dup]),
      intake.accept(NS, [event('group.hit')]),
    ]);
    const values = answers.map((a): unknown => (a.status === 'fulfilled' ? a.value : (a.reason as unknown)));
    expect(values[0]).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(values[1]).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(values[2]).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(values[3]).toBeInstanceOf(NamespaceNotFoundError);
    expect(values[4]).toMatchObject({ accepted: 0, duplicates: 1, started: [] });
    expect(values[5]).toMatchObject({ accepted: 1 });
    const started = [0, 1, 2, 5].flatMap((i) => (values[i] as { started: string[] }).started);
    expect(started).toHaveLength(4);
    for (const id of started) expect((await e.engine.waitForEnd(id, 10_000))!.status).toBe('complete');
  });

  it('under load the waiting requests are committed together (one transaction, one xmin)', async () => {
    const intake = new EventIntake(e.t.db, e.engine, 1);
    const ev = (i: number) =>
      parseEvent(
        { 'content-type': 'application/cloudevents+json' },
        Buffer.from(JSON.stringify({ specversion: '1.0', id: `load-${i}`, source: '/group-load', type: 'group.hit' })),
      );
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => intake.accept(NS, [ev(i)])));
    expect(results.every((r) => r.accepted === 1 && r.started.length === 1)).toBe(true);
    const tx = await e.t.db.query<{ n: number }>(`SELECT count(DISTINCT xmin::text)::int AS n FROM events WHERE source = '/group-load'`);
    // The first request ran alone; the five that waited for it shared the next transaction.
    expect(tx.rows[0]!.n).toBe(2);
  });

  it("in a shared transaction each started instance's calls are handed over once", async () => {
    const dispatched: string[] = [];
    const actions: ActionService = {
      available: true,
      dispatch: (req) => {
        dispatched.push(req.instanceId);
        return Promise.resolve();
      },
      cancel: () => Promise.resolve(),
    };
    const a = await startTestEngine(backend, {}, { actions });
    try {
      await a.deploy(NS, `id: calls
functions:
- id: fn
  image: localhost/never/runs:v1
start:
  type: event
  event:
    type: group.call
states:
- id: a
  type: action
  action:
    function: fn
`);
      const intake = new EventIntake(a.t.db, a.engine, 1);
      const results = await Promise.all(Array.from({ length: 4 }, () => intake.accept(NS, [event('group.call')])));
      const started = results.flatMap((r) => r.started);
      expect(started).toHaveLength(4);
      // Calls are handed over when the transaction commits, before the answers resolve.
      expect(dispatched.sort()).toEqual([...started].sort());
    } finally {
      await a.stop();
    }
  });

  it('a batch is delivered in order: an instance its first event started, waiting, is woken by a later event of the batch', async () => {
    await e.deploy(NS, `id: waits-in-batch
start:
  type: event
  event:
    type: group.open
states:
- id: wait
  type: consumeEvent
  event:
    type: group.close
  timeout: PT1M
`);
    const intake = new EventIntake(e.t.db, e.engine, 1);
    const r = await intake.accept(NS, [event('group.open'), event('group.close')]);
    expect(r).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(r.started).toHaveLength(1);
    expect(r.woken).toEqual(r.started);
    const done = await e.engine.waitForEnd(r.started[0]!, 10_000);
    expect(done).toMatchObject({ status: 'complete', flow: ['wait'] });
  });

  it('instances started together are stored with their first steps: log lines, timers, an event twice in a batch once', async () => {
    await e.deploy(NS, `id: delayed
start:
  type: event
  event:
    type: group.later
states:
- id: pause
  type: delay
  duration: PT0.2S
  log: 'paused for jq(.["group.later"].n)'
`);
    const intake = new EventIntake(e.t.db, e.engine, 1);
    const twice = event('group.later');
    const results = await Promise.all([
      intake.accept(NS, [event('group.later'), twice, twice]),
      intake.accept(NS, [event('group.later'), event('group.hit')]),
    ]);
    expect(results[0]).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(results[1]).toMatchObject({ accepted: 2, duplicates: 0 });
    const started = results.flatMap((r) => r.started);
    expect(started).toHaveLength(4);
    const ends = await Promise.all(started.map((id) => e.engine.waitForEnd(id, 10_000)));
    expect(ends.map((d) => d!.status)).toEqual(['complete', 'complete', 'complete', 'complete']);
    const delayed = started.slice(0, 3);
    const logs = await e.t.db.query<{ instance_id: string; msg: string }>(
      `SELECT instance_id, msg FROM logs WHERE instance_id = ANY($1) AND msg LIKE 'paused for %' ORDER BY id`,
      [delayed],
    );
    expect(logs.rows.map((l) => l.instance_id).sort()).toEqual([...delayed].sort());
  });
});
