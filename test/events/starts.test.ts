/**
 * Workflows started by events, through the real engine: `event`, `eventsXor` and `eventsAnd`
 * (lifespan, correlate), context globs over core and extension attributes, duplicates accepted
 * once, listeners replaced with the workflow (update, toggle, delete), the history and replays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptEvents, getEvent, installEventHooks, listEvents, replayEvent, sweepEvents } from '../../src/events/index.js';
import type { ParsedEvent } from '../../src/events/index.js';
import * as workflows from '../../src/workflows/index.js';
import { BACKENDS } from '../helpers/db.js';
import { eventMaker } from './helpers.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

const event = eventMaker('ev-');

installEventHooks();

describe.each(BACKENDS)('event starts on %s', (backend) => {
  let e: TestEngine;
  const NS = 'events';
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  const send = (...evs: ParsedEvent[]) => acceptEvents(e.t.db, e.engine, NS, evs);
  const outputs = async (ids: string[]) =>
    Promise.all(ids.map(async (id) => (await e.engine.waitForEnd(id, 10_000))!.output));

  it('event: one instance per matching event, its data under the type; context globs on core and extension attributes', async () => {
    await e.deploy(NS, `id: on-order
start:
  type: event
  event:
    type: order.created
    context:
      source: '/shop/*'
      region: eu-*
states:
- id: a
  type: noop
`);
    const hit = await send(event('order.created', { source: '/shop/web', region: 'eu-west' }, { total: 3 }));
    expect(hit).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(hit.started).toHaveLength(1);
    expect(await outputs(hit.started)).toEqual([{ 'order.created': { total: 3 } }]);
    const inst = await e.engine.getInstance(hit.started[0]!);
    expect(inst!.invokedBy).toMatchObject({ kind: 'event' });

    for (const miss of [
      event('order.created', { source: '/other/web', region: 'eu-west' }),
      event('order.created', { source: '/shop/web', region: 'us-east' }),
      event('order.created', { source: '/shop/web' }),
      event('order.deleted', { source: '/shop/web', region: 'eu-west' }),
    ]) {
      expect((await send(miss)).started, JSON.stringify(miss.attributes)).toEqual([]);
    }
  });

  it('events older than the retention are swept; a duplicate is detected only within it', async () => {
    const ev = event('order.created', { source: '/shop/old', region: 'eu-old' });
    expect((await send(ev)).accepted).toBe(1);
    await e.t.db.query(`UPDATE events SET received_at = now() - interval '8 days' WHERE source = '/shop/old'`);
    expect(await sweepEvents(e.t.db, 7 * 24 * 3600_000)).toBe(1);
    expect(await sweepEvents(e.t.db, 7 * 24 * 3600_000)).toBe(0);
    const again = await send(ev);
    expect(again).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('a duplicate (same source and id) is accepted once', async () => {
    const ev = event('order.created', { source: '/shop/app', region: 'eu-north' });
    const first = await send(ev);
    const again = await send(ev);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(first.started).toHaveLength(1);
    expect(again).toEqual({ accepted: 0, duplicates: 1, started: [], woken: [] });
  });

  it('eventsXor: any listed event starts it', async () => {
    await e.deploy(NS, `id: on-either
start:
  type: eventsXor
  events:
  - type: x.one
  - type: x.two
states:
- id: a
  type: noop
`);
    const r = await send(event('x.one', {}, 1), event('x.two', {}, 2), event('x.three', {}, 3));
    expect(r.accepted).toBe(3);
    expect((await outputs(r.started)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ 'x.one': 1 }, { 'x.two': 2 }]);
  });

  it('eventsAnd: one instance once every type arrived, grouped by correlated attributes', async () => {
    await e.deploy(NS, `id: on-both
start:
  type: eventsAnd
  correlate: [orderid]
  events:
  - type: paid
  - type: shipped
states:
- id: a
  type: noop
`);
    expect((await send(event('paid', { orderid: 'A' }, 'paid A'))).started).toEqual([]);
    expect((await send(event('shipped', { orderid: 'B' }, 'shipped B'))).started).toEqual([]);
    // Without the correlated attribute an event belongs to no group.
    expect((await send(event('shipped', {}, 'shipped ?'))).started).toEqual([]);
    const a = await send(event('shipped', { orderid: 'A' }, 'shipped A'));
    expect(await outputs(a.started)).toEqual([{ paid: 'paid A', shipped: 'shipped A' }]);
    const b = await send(event('paid', { orderid: 'B' }, 'paid B'));
    expect(await outputs(b.started)).toEqual([{ paid: 'paid B', shipped: 'shipped B' }]);
    // The group was emptied: another shipped A waits for another paid A.
    expect((await send(event('shipped', { orderid: 'A' }, 'again'))).started).toEqual([]);
  });

  it('eventsAnd with a lifespan drops events older than it', async () => {
    await e.deploy(NS, `id: on-quick-pair
start:
  type: eventsAnd
  lifespan: PT0.3S
  events:
  - type: q.left
  - type: q.right
states:
- id: a
  type: noop
`);
    expect((await send(event('q.left', {}, 'old'))).started).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await send(event('q.right', {}, 'right'))).started).toEqual([]);
    const r = await send(event('q.left', {}, 'new'));
    expect(await outputs(r.started)).toEqual([{ 'q.left': 'new', 'q.right': 'right' }]);
  });

  it('listeners follow the workflow: update, disable, enable, delete', async () => {
    const yaml = (type: string) => `id: follows
start:
  type: event
  event:
    type: ${type}
states:
- id: a
  type: noop
`;
    await e.deploy(NS, yaml('f.old'));
    expect((await send(event('f.old'))).started).toHaveLength(1);
    await e.deploy(NS, yaml('f.new'));
    expect((await send(event('f.old'))).started).toEqual([]);
    expect((await send(event('f.new'))).started).toHaveLength(1);
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'follows', { active: false }));
    expect((await send(event('f.new'))).started).toEqual([]);
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'follows', { active: true }));
    expect((await send(event('f.new'))).started).toHaveLength(1);
    await e.t.db.tx((q) => workflows.remove(q, NS, 'follows'));
    expect((await send(event('f.new'))).started).toEqual([]);
  });

  it('the history lists each event with what it did; a replay delivers it again', async () => {
    const r = await send(event('order.created', { source: '/shop/hist', region: 'eu-x' }, { h: 1 }), event('nobody.listens'));
    const { items, total } = await listEvents(e.t.db, NS, { offset: 0, limit: 2 });
    expect(total).toBeGreaterThan(10);
    expect(items.map((i) => i.type)).toEqual(['nobody.listens', 'order.created']);
    expect(items[0]!.deliveries).toEqual([]);
    expect(items[1]!.deliveries).toEqual([{ instanceId: r.started[0], kind: 'started' }]);
    const detail = await getEvent(e.t.db, NS, items[1]!.seq);
    expect(detail).toMatchObject({ source: '/shop/hist', payload: { h: 1 }, attributes: { region: 'eu-x' } });

    const again = await replayEvent(e.t.db, e.engine, NS, items[1]!.seq);
    expect(again.started).toHaveLength(1);
    expect(again.started[0]).not.toBe(r.started[0]);
    expect((await getEvent(e.t.db, NS, items[1]!.seq)).deliveries).toHaveLength(2);
    await expect(replayEvent(e.t.db, e.engine, NS, 999_999)).rejects.toThrow(/event 999999 does not exist/);
  });
});
