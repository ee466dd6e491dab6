/**
 * Instances that wait for events (consumeEvent, eventAnd, eventXor) and emit them
 * (generateEvent, logToEvents), through the real engine and events module on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptEvents, getEvent, installEventHooks, listEvents } from '../../src/events/index.js';
import type { ParsedEvent } from '../../src/events/index.js';
import type { InstanceDetail } from '../../src/engine/index.js';
import * as workflows from '../../src/workflows/index.js';
import { BACKENDS } from '../helpers/db.js';
import { eventMaker, untilWaiting } from './helpers.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

const event = eventMaker('w-');

installEventHooks();

describe.each(BACKENDS)('instance waits on %s', (backend) => {
  let e: TestEngine;
  const NS = 'waits';
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  const send = (...evs: ParsedEvent[]) => acceptEvents(e.t.db, e.engine, NS, evs);
  const start = async (wf: string, input: unknown = {}) =>
    (await e.engine.execute({ namespace: NS, workflow: wf, input: Buffer.from(JSON.stringify(input)), invokedBy: { kind: 'api' } })).instanceId;
  const end = async (id: string): Promise<InstanceDetail> => (await e.engine.waitForEnd(id, 10_000))!;
  const waiting = (id: string) => untilWaiting(e, id);
  const waitCount = async (id: string) =>
    Number((await e.t.db.query<{ n: string }>('SELECT count(*) AS n FROM event_waits WHERE instance_id = $1', [id])).rows[0]!.n);

  it('consumeEvent: the event wakes the instance with its data under the type; the history says it woke it', async () => {
    await e.deploy(NS, `id: consume
states:
- id: wait
  type: consumeEvent
  event:
    type: parcel.arrived
  timeout: PT1M
  transform:
    got: jq(."parcel.arrived")
`);
    const id = await start('consume');
    await waiting(id);
    expect(await waitCount(id)).toBe(1);
    const r = await send(event('parcel.arrived', {}, { box: 7 }));
    expect(r).toMatchObject({ accepted: 1, started: [], woken: [id] });
    const done = await end(id);
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ got: { box: 7 } });
    expect(await waitCount(id)).toBe(0);
    const { items } = await listEvents(e.t.db, NS, { offset: 0, limit: 1 });
    expect(items[0]!.deliveries).toEqual([{ instanceId: id, kind: 'woke' }]);
    expect((await e.logLines(id)).join('\n')).toMatch(/Received event: parcel\.arrived/);
    // The wait is consumed: the next event wakes nobody.
    expect((await send(event('parcel.arrived'))).woken).toEqual([]);
  });

  it('two instances waiting for one type with jq context values are woken only by their own events', async () => {
    await e.deploy(NS, `id: per-order
states:
- id: wait
  type: consumeEvent
  event:
    type: payment.done
    context:
      order: jq(.order)
      source: "/pay/jq(.region)/*"
  transform:
    paid: jq(."payment.done".amount)
`);
    const a = await start('per-order', { order: 'A-1', region: 'eu' });
    const b = await start('per-order', { order: 'B-2', region: 'us' });
    await Promise.all([waiting(a), waiting(b)]);
    expect((await send(event('payment.done', { order: 'A-1', source: '/pay/us/x' }, { amount: 0 }))).woken).toEqual([]);
    expect((await send(event('payment.done', { order: 'B-2', source: '/pay/us/x' }, { amount: 20 }))).woken).toEqual([b]);
    expect((await end(b)).output).toEqual({ paid: 20 });
    expect((await send(event('payment.done', { order: 'A-1', source: '/pay/eu/y' }, { amount: 10 }))).woken).toEqual([a]);
    expect((await end(a)).output).toEqual({ paid: 10 });
  });

  it('eventAnd: wakes once one event of every entry has arrived, in any order; each payload under its type', async () => {
    await e.deploy(NS, `id: both
states:
- id: wait
  type: eventAnd
  events:
  - type: doc.signed
    context:
      doc: jq(.doc)
  - type: doc.paid
    context:
      doc: jq(.doc)
  transition: done
- id: done
  type: noop
  transform:
    signed: jq(."doc.signed".by)
    paid: jq(."doc.paid".amount)
`);
    const id = await start('both', { doc: 'd1' });
    await waiting(id);
    expect((await send(event('doc.paid', { doc: 'd1' }, { amount: 5 }))).woken).toEqual([]);
    expect((await send(event('doc.signed', { doc: 'other' }, { by: 'eve' }))).woken).toEqual([]);
    expect((await send(event('doc.signed', { doc: 'd1' }, { by: 'ann' }))).woken).toEqual([id]);
    const done = await end(id);
    expect(done.output).toEqual({ signed: 'ann', paid: 5 });
    expect(done.flow).toEqual(['wait', 'done']);
  });

  it("eventXor: the first matching event's branch wins, with its transform and transition", async () => {
    await e.deploy(NS, `id: either
states:
- id: wait
  type: eventXor
  events:
  - event:
      type: vote.yes
    transform:
      answer: yes
    transition: yes
  - event:
      type: vote.no
    transform:
      answer: no
      why: jq(."vote.no".why)
    transition: no
- id: yes
  type: noop
- id: no
  type: noop
`);
    const id = await start('either');
    await waiting(id);
    expect((await send(event('vote.no', {}, { why: 'cost' }))).woken).toEqual([id]);
    expect((await send(event('vote.yes'))).woken).toEqual([]);
    const done = await end(id);
    expect(done.flow).toEqual(['wait', 'no']);
    expect(done.output).toEqual({ answer: 'no', why: 'cost' });
  });

  it('a wait that times out is caught like any timeout, and its listener is gone', async () => {
    await e.deploy(NS, `id: impatient
states:
- id: wait
  type: consumeEvent
  event:
    type: never.comes
  timeout: PT0.3S
  catch:
  - error: direktiv.cancels.timeout
    transition: gave-up
- id: gave-up
  type: noop
  transform:
    code: jq(.error.code)
`);
    const id = await start('impatient');
    const done = await end(id);
    expect(done.status).toBe('complete');
    expect(done.output).toMatchObject({ code: 'direktiv.cancels.timeout' });
    expect(await waitCount(id)).toBe(0);
    expect((await send(event('never.comes'))).woken).toEqual([]);
  });

  it('a cancelled instance stops waiting', async () => {
    await e.deploy(NS, `id: cancelled-wait
states:
- id: wait
  type: consumeEvent
  event:
    type: cancel.test
`);
    const id = await start('cancelled-wait');
    await waiting(id);
    expect(await e.engine.cancel(id)).toBe(true);
    expect((await end(id)).status).toBe('cancelled');
    expect(await waitCount(id)).toBe(0);
    expect((await send(event('cancel.test'))).woken).toEqual([]);
  });

  it('a wait that loops back re-registers: each pass takes one event', async () => {
    await e.deploy(NS, `id: counter
states:
- id: wait
  type: consumeEvent
  event:
    type: tick.tock
  transform:
    n: jq((.n // 0) + 1)
  transition: check
- id: check
  type: switch
  conditions:
  - condition: jq(.n < 3)
    transition: wait
`);
    const id = await start('counter');
    for (let i = 0; i < 3; i++) {
      await waiting(id);
      expect((await send(event('tick.tock'))).woken).toEqual([id]);
      if (i < 2) {
        // Wait for the next registration (a new step).
        for (let k = 0; k < 200 && (await waitCount(id)) === 0; k++) await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect((await end(id)).output).toEqual({ n: 3 });
  });

  it('generateEvent: starts event workflows and wakes waiting instances; context entries become extension attributes', async () => {
    await e.deploy(NS, `id: listener
start:
  type: event
  event:
    type: greeting
    context:
      lang: en
states:
- id: a
  type: noop
`);
    await e.deploy(NS, `id: waiter
states:
- id: wait
  type: consumeEvent
  event:
    type: greeting
    context:
      lang: jq(.lang)
`);
    await e.deploy(NS, `id: greeter
states:
- id: send
  type: generateEvent
  event:
    type: greeting
    source: jq-not-evaluated
    data:
      name: jq(.name)
    context:
      lang: jq(.lang)
      count: 3
`);
    const w = await start('waiter', { lang: 'en' });
    await waiting(w);
    const g = await end(await start('greeter', { name: 'Trent', lang: 'en' }));
    expect(g.status).toBe('complete');
    expect((await end(w)).output).toMatchObject({ greeting: { name: 'Trent' } });
    const { items } = await listEvents(e.t.db, NS, { offset: 0, limit: 1, type: 'greeting' });
    const ev = await getEvent(e.t.db, NS, items[0]!.seq);
    expect(ev.attributes).toMatchObject({ lang: 'en', count: 3, type: 'greeting', datacontenttype: 'application/json' });
    expect(ev.payload).toEqual({ name: 'Trent' });
    expect(ev.deliveries.map((d) => d.kind).sort()).toEqual(['started', 'woke']);
    const started = ev.deliveries.find((d) => d.kind === 'started')!.instanceId;
    expect(started).toMatch(/^waits\/listener\//);
    expect((await end(started)).output).toEqual({ greeting: { name: 'Trent' } });
  });

  it('generateEvent: a non-JSON content type sends the raw bytes (text as it is, others from base64)', async () => {
    await e.deploy(NS, `id: raw-sender
states:
- id: text
  type: generateEvent
  event:
    type: raw.text
    source: /raw
    datacontenttype: text/plain
    data: jq(.text)
  transition: bin
- id: bin
  type: generateEvent
  event:
    type: raw.bin
    source: /raw
    datacontenttype: application/octet-stream
    data: AAEC/w==
`);
    expect((await end(await start('raw-sender', { text: 'héllo' }))).status).toBe('complete');
    const text = await getEvent(e.t.db, NS, (await listEvents(e.t.db, NS, { offset: 0, limit: 1, type: 'raw.text' })).items[0]!.seq);
    expect(Buffer.from(text.payload as string, 'base64').toString('utf8')).toBe('héllo');
    const bin = await getEvent(e.t.db, NS, (await listEvents(e.t.db, NS, { offset: 0, limit: 1, type: 'raw.bin' })).items[0]!.seq);
    expect([...Buffer.from(bin.payload as string, 'base64')]).toEqual([0, 1, 2, 255]);
  });

  it('generateEvent: an event that is not valid is a catchable direktiv.event.invalid naming the problem, and nothing is sent', async () => {
    await e.deploy(NS, `id: bad-sender
states:
- id: send
  type: generateEvent
  event:
    type: bad.event
    source: /bad
    context:
      Not-Valid_Name: x
  catch:
  - error: direktiv.event.invalid
    transition: caught
- id: caught
  type: noop
  transform:
    msg: jq(.error.msg)
`);
    const done = await end(await start('bad-sender'));
    expect(done.status).toBe('complete');
    expect((done.output as { msg: string }).msg).toMatch(/not-valid_name/);
    expect((await listEvents(e.t.db, NS, { offset: 0, limit: 1, type: 'bad.event' })).total).toBe(0);
  });

  it('logToEvents: each line the workflow logs is a direktiv.instanceLog event with the logger attribute', async () => {
    await e.deploy(NS, `id: log-sink
start:
  type: event
  event:
    type: direktiv.instanceLog
    context:
      logger: audit
states:
- id: keep
  type: noop
  transform:
    message: jq(."direktiv.instanceLog")
`);
    await e.deploy(NS, `id: chatty
states:
- id: a
  type: noop
  log: 'hello jq(.who)'
`);
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'chatty', { logToEvents: 'audit' }));
    const done = await end(await start('chatty', { who: 'world' }));
    expect(done.status).toBe('complete');
    const { items } = await listEvents(e.t.db, NS, { offset: 0, limit: 1, type: 'direktiv.instanceLog' });
    const ev = await getEvent(e.t.db, NS, items[0]!.seq);
    expect(ev.attributes).toMatchObject({ logger: 'audit', instance: done.id, workflow: 'chatty', source: 'chatty' });
    expect(ev.payload).toBe('hello world');
    const sink = ev.deliveries.find((d) => d.kind === 'started')!.instanceId;
    expect((await end(sink)).output).toEqual({ message: 'hello world' });

    // Turned off: no more events.
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'chatty', { logToEvents: null }));
    await end(await start('chatty', { who: 'again' }));
    expect((await listEvents(e.t.db, NS, { offset: 0, limit: 1, type: 'direktiv.instanceLog' })).total).toBe(1);
  });
});
