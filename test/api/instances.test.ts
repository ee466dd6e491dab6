import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as logs from '../../src/logs/index.js';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, HELLO, yaml } from './setup.js';
import type { TestApp } from './setup.js';

/** Splits an SSE body into events: `{id?, event?, data?}`; comments dropped. */
function sseEvents(body: string) {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const e: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const at = line.indexOf(': ');
        e[line.slice(0, at)] = line.slice(at + 2);
      }
      return e;
    });
}

describe.each(BACKENDS)('instance and log routes on %s', (backend) => {
  let t: TestApp;
  const start = async (wf = 'hello') => {
    const res = await t.app.inject({ method: 'POST', url: `/api/namespaces/insts/workflows/${wf}/execute` });
    return res.json<{ instanceId: string }>().instanceId;
  };
  const path = (id: string) => `/api/instances/${id}`;

  beforeAll(async () => {
    t = await createTestApp(backend);
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/insts' });
    for (const source of [HELLO, yaml('other')]) {
      await t.app.inject({
        method: 'POST',
        url: '/api/namespaces/insts/workflows',
        headers: { 'content-type': 'application/yaml' },
        payload: source,
      });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the namespace instances newest first, filtered by status and workflow, paged', async () => {
    const a = await start();
    const b = await start('other');
    const c = await start();
    await t.engine.finish(a, 'complete', { output: {} });
    const all = await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/instances' });
    expect(all.statusCode).toBe(200);
    const body = all.json<{ items: Record<string, unknown>[]; total: number; offset: number; limit: number }>();
    expect(body).toMatchObject({ total: 3, offset: 0, limit: 50 });
    expect(body.items.map((i) => i.id)).toEqual([c, b, a]);
    for (const key of ['id', 'status', 'workflow', 'revision', 'invokedBy', 'beginTime', 'endTime', 'errorCode']) {
      expect(body.items[0]).toHaveProperty(key);
    }
    expect(body.items[0]).not.toHaveProperty('input');
    const pending = await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/instances?status=pending' });
    expect(pending.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([c, b]);
    const hello = await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/instances?workflow=hello&limit=1' });
    expect(hello.json()).toMatchObject({ total: 2, limit: 1, items: [{ id: c }] });
    const ofWorkflow = await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/workflows/other/instances' });
    expect(ofWorkflow.json()).toMatchObject({ total: 1, items: [{ id: b, workflow: 'other' }] });

    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/instances?status=weird' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/instances?workflow=BAD' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/nowhere/instances' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/workflows/ghost/instances' })).statusCode).toBe(404);
  });

  it('gets one instance with its details, 404 for an unknown one', async () => {
    const id = await start();
    await t.engine.finish(id, 'complete', { output: { done: true } });
    const res = await t.app.inject({ method: 'GET', url: path(id) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'complete', workflow: 'hello', revision: 1, output: { done: true }, flow: [] });
    for (const key of ['beginTime', 'endTime', 'input', 'errorCode', 'errorMessage', 'invokedBy']) expect(res.json()).toHaveProperty(key);
    const missing = await t.app.inject({ method: 'GET', url: '/api/instances/insts/hello/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 404, message: 'instance "insts/hello/nope" does not exist', details: [] });
  });

  it('cancels a pending instance with direktiv.cancels.api (204), 409 when it already ended, 404 when unknown', async () => {
    const id = await start();
    const res = await t.app.inject({ method: 'DELETE', url: path(id) });
    expect(res.statusCode).toBe(204);
    expect(t.engine.cancelled.at(-1)).toMatchObject({ id, code: 'direktiv.cancels.api' });
    expect((await t.app.inject({ method: 'GET', url: path(id) })).json()).toMatchObject({ status: 'cancelled' });
    const again = await t.app.inject({ method: 'DELETE', url: path(id) });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ message: string }>().message).toContain('is not pending (it is cancelled)');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/instances/insts/hello/nope' })).statusCode).toBe(404);
  });

  it('pages the logs of an instance and of the namespace', async () => {
    const id = await start();
    await t.engine.log(id, ...Array.from({ length: 60 }, (_, i) => `line ${i}`));
    await logs.append(t.db, [{ namespace: 'insts', instanceId: null, level: 'warn', msg: 'namespace says hi' }]);
    const first = await t.app.inject({ method: 'GET', url: `${path(id)}/logs` });
    expect(first.statusCode).toBe(200);
    const body = first.json<{ items: { t: string; level: string; msg: string }[]; total: number }>();
    expect(body).toMatchObject({ total: 60, offset: 0, limit: 50 });
    expect(body.items).toHaveLength(50);
    expect(Object.keys(body.items[0]!).sort()).toEqual(['level', 'msg', 't']);
    expect(body.items[0]).toMatchObject({ level: 'info', msg: 'line 0' });
    const rest = await t.app.inject({ method: 'GET', url: `${path(id)}/logs?offset=50&limit=1000` });
    expect(rest.json<{ items: { msg: string }[] }>().items.map((l) => l.msg)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${i + 50}`),
    );
    expect((await t.app.inject({ method: 'GET', url: `${path(id)}/logs?limit=1001` })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/instances/insts/hello/nope/logs' })).statusCode).toBe(404);
    const ns = await t.app.inject({ method: 'GET', url: '/api/namespaces/insts/logs' });
    expect(ns.json()).toMatchObject({ total: 1, items: [{ level: 'warn', msg: 'namespace says hi' }] });
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/nowhere/logs' })).statusCode).toBe(404);
  });

  it('streams the log live over SSE and ends when the instance ends', async () => {
    const id = await start();
    await t.engine.log(id, 'first', 'second');
    // The engine goes on while the client follows: more lines, then the end.
    const engine = (async () => {
      await new Promise((r) => setTimeout(r, 150));
      await t.engine.log(id, 'third');
      await new Promise((r) => setTimeout(r, 150));
      await t.engine.log(id, 'fourth', 'fifth');
      await t.engine.finish(id, 'failed', { errorCode: 'x.y', errorMessage: 'bad' });
    })();
    const started = Date.now();
    const res = await t.app.inject({ method: 'GET', url: `${path(id)}/logs`, headers: { accept: 'text/event-stream' } });
    await engine;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    const events = sseEvents(res.body);
    const lines = events.filter((e) => e.data && !e.event).map((e) => JSON.parse(e.data!) as { msg: string; level: string; t: string });
    expect(lines.map((l) => l.msg)).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
    expect(Object.keys(lines[0]!).sort()).toEqual(['level', 'msg', 't']);
    const ids = events.filter((e) => !e.event).map((e) => Number(e.id));
    expect(ids.every((n, i) => i === 0 || n > ids[i - 1]!)).toBe(true);
    expect(events.at(-1)).toEqual({ event: 'end', data: '{"status":"failed"}' });
    expect(Date.now() - started).toBeLessThan(5000);

    // Resuming after a line id gives only what came after it.
    const resumed = await t.app.inject({
      method: 'GET',
      url: `${path(id)}/logs`,
      headers: { accept: 'text/event-stream', 'last-event-id': String(ids[2]) },
    });
    const after = sseEvents(resumed.body).filter((e) => !e.event).map((e) => (JSON.parse(e.data!) as { msg: string }).msg);
    expect(after).toEqual(['fourth', 'fifth']);
  });

  it('ends live streams when the server closes', async () => {
    const other = await createTestApp(backend, {}, { db: t.db, drop: () => Promise.resolve() });
    const run = await other.app.inject({ method: 'POST', url: '/api/namespaces/insts/workflows/hello/execute' });
    const id = run.json<{ instanceId: string }>().instanceId;
    const pending = other.app.inject({ method: 'GET', url: `${path(id)}/logs`, headers: { accept: 'text/event-stream' } });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await other.close();
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.statusCode).toBe(200);
    expect(sseEvents(res.body).some((e) => e.event === 'end')).toBe(false);
  });

  it('ends the stream of an instance that has already ended at once', async () => {
    const id = await start();
    await t.engine.log(id, 'only');
    await t.engine.finish(id, 'complete', { output: {} });
    const res = await t.app.inject({ method: 'GET', url: `${path(id)}/logs`, headers: { accept: 'text/event-stream' } });
    const events = sseEvents(res.body);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!.data!)).toMatchObject({ msg: 'only', level: 'info' });
    expect(events[1]).toEqual({ event: 'end', data: '{"status":"complete"}' });
  });
});
