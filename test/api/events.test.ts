/**
 * The events routes with the real engine: structured, binary and batch intake (202 once stored
 * and delivered), malformed events refused with the reason and nothing stored, the history with
 * what each event started, and replays.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.js';
import { installEventHooks } from '../../src/events/index.js';
import { eventsApi } from '../../src/server/adapters.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { baseConfig } from './setup.js';

const LISTENER = `id: on-signup
start:
  type: event
  event:
    type: user.signup
states:
- id: greet
  type: noop
  transform: 'jq({greeting: "welcome \\(.["user.signup"].name)"})'
`;

installEventHooks();

describe.each(BACKENDS)('events routes on %s', (backend) => {
  let e: TestEngine;
  let app: FastifyInstance;
  let n = 0;
  const structured = (extra: Record<string, unknown> = {}) => ({
    method: 'POST' as const,
    url: '/api/namespaces/hooks/event',
    headers: { 'content-type': 'application/cloudevents+json' },
    payload: JSON.stringify({ specversion: '1.0', id: `s-${++n}`, source: '/signup', type: 'user.signup', data: { name: `u${n}` }, ...extra }),
  });
  const history = async () =>
    (await app.inject({ method: 'GET', url: '/api/namespaces/hooks/events' })).json<{ items: { seq: number; id: string; type: string; deliveries: { instanceId: string }[] }[]; total: number }>();

  beforeAll(async () => {
    e = await startTestEngine(backend);
    app = buildApp({ db: e.t.db, engine: e.engine, config: baseConfig, events: eventsApi(e.t.db, e.engine) });
    await app.ready();
    await app.inject({ method: 'PUT', url: '/api/namespaces/hooks' });
    const wf = await app.inject({ method: 'POST', url: '/api/namespaces/hooks/workflows', headers: { 'content-type': 'application/yaml' }, payload: LISTENER });
    expect(wf.statusCode, wf.body).toBe(201);
  });
  afterAll(async () => {
    await app.close();
    await e.stop();
  });

  it('structured mode: 202 with the instance it started, which runs with the event data', async () => {
    const r = await app.inject(structured());
    expect(r.statusCode, r.body).toBe(202);
    const body = r.json<{ accepted: number; duplicates: number; instances: string[] }>();
    expect(body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(body.instances).toHaveLength(1);
    const done = await e.engine.waitForEnd(body.instances[0]!, 10_000);
    expect(done!.output).toEqual({ greeting: `welcome u${n}` });
  });

  it('binary mode and batches', async () => {
    const bin = await app.inject({
      method: 'POST',
      url: '/api/namespaces/hooks/event',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'bin-1', 'ce-source': '/signup', 'ce-type': 'user.signup', 'content-type': 'application/json' },
      payload: '{"name":"binary"}',
    });
    expect(bin.statusCode, bin.body).toBe(202);
    expect(bin.json<{ instances: string[] }>().instances).toHaveLength(1);
    const batch = await app.inject({
      method: 'POST',
      url: '/api/namespaces/hooks/events',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      payload: JSON.stringify([
        { specversion: '1.0', id: 'b-1', source: '/signup', type: 'user.signup', data: { name: 'one' } },
        { specversion: '1.0', id: 'b-2', source: '/signup', type: 'user.signup', data: { name: 'two' } },
        { specversion: '1.0', id: 'bin-1', source: '/signup', type: 'user.signup', data: { name: 'dup' } },
      ]),
    });
    expect(batch.statusCode, batch.body).toBe(202);
    expect(batch.json()).toMatchObject({ accepted: 2, duplicates: 1 });
  });

  it('a malformed event is 400 with the reason, and nothing is stored; a batch with one bad event stores none', async () => {
    const before = (await history()).total;
    const noId = await app.inject({ ...structured(), payload: JSON.stringify({ specversion: '1.0', source: '/x', type: 'user.signup' }) });
    expect(noId.statusCode).toBe(400);
    expect(noId.json()).toMatchObject({ code: 400, message: 'event: the required attribute "id" is missing or empty' });
    const plain = await app.inject({ method: 'POST', url: '/api/namespaces/hooks/event', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(plain.statusCode).toBe(400);
    expect(plain.json<{ message: string }>().message).toMatch(/not a CloudEvent/);
    const batch = await app.inject({
      method: 'POST',
      url: '/api/namespaces/hooks/events',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      payload: JSON.stringify([{ specversion: '1.0', id: 'ok-1', source: '/s', type: 't' }, { specversion: '1.0', id: 'bad' }]),
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.json<{ message: string }>().message).toMatch(/^event 1: /);
    expect((await history()).total).toBe(before);
    const unknown = await app.inject({ ...structured(), url: '/api/namespaces/nowhere/event' });
    expect(unknown.statusCode).toBe(404);
  });

  it('the history says what each event did; one event in detail; a replay starts the workflow again', async () => {
    await app.inject(structured({ type: 'nobody.listens' }));
    const h = await history();
    expect(h.items[0]).toMatchObject({ type: 'nobody.listens', deliveries: [] });
    const signup = h.items.find((i) => i.type === 'user.signup')!;
    expect(signup.deliveries).toHaveLength(1);
    const detail = await app.inject({ method: 'GET', url: `/api/namespaces/hooks/events/${signup.seq}` });
    expect(detail.json()).toMatchObject({ seq: signup.seq, source: '/signup', attributes: { type: 'user.signup' } });
    const replay = await app.inject({ method: 'POST', url: `/api/namespaces/hooks/events/${signup.seq}/replay` });
    expect(replay.statusCode).toBe(202);
    expect(replay.json<{ instances: string[] }>().instances).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/api/namespaces/hooks/events/999999' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/namespaces/hooks/events?type=nobody.listens' })).json()).toMatchObject({ total: 1 });
  });

  it('an event posted over HTTP wakes a waiting instance (binary mode, context from jq): the answer names it', async () => {
    const waiter = await app.inject({
      method: 'POST',
      url: '/api/namespaces/hooks/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: `id: await-approval
states:
- id: wait
  type: consumeEvent
  event:
    type: approval.given
    context:
      subject: jq(.ticket)
  transform:
    approved-by: jq(."approval.given".by)
`,
    });
    expect(waiter.statusCode, waiter.body).toBe(201);
    const run = await app.inject({ method: 'POST', url: '/api/namespaces/hooks/workflows/await-approval/execute', payload: { ticket: 'T-9' } });
    const { instanceId } = run.json<{ instanceId: string }>();
    for (let i = 0; i < 200 && !(await e.logLines(instanceId)).some((l) => l.startsWith('Registered')); i++) await new Promise((r) => setTimeout(r, 25));
    const binary = (subject: string) =>
      app.inject({
        method: 'POST',
        url: '/api/namespaces/hooks/event',
        headers: { 'ce-specversion': '1.0', 'ce-id': `b-${subject}`, 'ce-source': '/desk', 'ce-type': 'approval.given', 'ce-subject': subject, 'content-type': 'application/json' },
        payload: JSON.stringify({ by: 'kim' }),
      });
    expect((await binary('T-1')).json()).toMatchObject({ accepted: 1, instances: [], woken: [] });
    const hit = await binary('T-9');
    expect(hit.statusCode).toBe(202);
    expect(hit.json()).toMatchObject({ accepted: 1, instances: [], woken: [instanceId] });
    expect((await e.engine.waitForEnd(instanceId, 10_000))!.output).toEqual({ 'approved-by': 'kim' });
  });
});
