import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, HELLO, yaml } from './setup.js';
import type { TestApp } from './setup.js';

describe.each(BACKENDS)('execute on %s', (backend) => {
  let t: TestApp;
  const execute = (query = '', payload?: string | Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/namespaces/runs/workflows/hello/execute${query}`, payload, headers });

  beforeAll(async () => {
    t = await createTestApp(backend, { maxWaitMs: 2000, defaultWaitMs: 1000 });
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/runs' });
    for (const source of [HELLO, yaml('sleepy')]) {
      await t.app.inject({
        method: 'POST',
        url: '/api/namespaces/runs/workflows',
        headers: { 'content-type': 'application/yaml' },
        payload: source,
      });
    }
  });
  beforeEach(() => {
    t.engine.onStart = undefined;
  });
  afterAll(async () => {
    await t.close();
  });

  it('starts an instance (202) with the raw body, whatever its content type', async () => {
    const res = await execute('', '{"name":"x"}', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(202);
    const { instanceId } = res.json<{ instanceId: string }>();
    expect(instanceId).toMatch(/^runs\/hello\/[0-9a-f]+$/);
    expect(res.headers['direktiv-instanceid']).toBe(instanceId);
    const req = t.engine.executed.at(-1)!;
    expect(req).toMatchObject({ namespace: 'runs', workflow: 'hello', invokedBy: { kind: 'api' } });
    expect(Buffer.isBuffer(req.input) && req.input.toString()).toBe('{"name":"x"}');

    const bytes = Buffer.from([0, 1, 2, 255]);
    await execute('', bytes, { 'content-type': 'application/octet-stream' });
    expect((t.engine.executed.at(-1)!.input as Buffer).equals(bytes)).toBe(true);
    await execute('', 'not json at all', { 'content-type': 'application/json' });
    expect((t.engine.executed.at(-1)!.input as Buffer).toString()).toBe('not json at all');
    await execute('', 'plain', { 'content-type': 'text/weird; x=1' });
    expect((t.engine.executed.at(-1)!.input as Buffer).toString()).toBe('plain');
    await execute();
    expect(t.engine.executed.at(-1)!.input).toBeUndefined();
    await execute('', 'no type at all');
    expect((t.engine.executed.at(-1)!.input as Buffer).toString()).toBe('no type at all');
  });

  it('passes the engine errors on: 404 for a missing workflow, 409 for a disabled one', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/api/namespaces/runs/workflows/nothing/execute' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 404, message: 'workflow nothing does not exist', details: [] });
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/runs/workflows/sleepy/toggle', payload: { active: false } });
    const disabled = await t.app.inject({ method: 'POST', url: '/api/namespaces/runs/workflows/sleepy/execute' });
    expect(disabled.statusCode).toBe(409);
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/runs/workflows/sleepy/toggle', payload: { active: true } });
  });

  it('waits for the output (200), with the instance id in a header', async () => {
    t.engine.onStart = (d) => {
      setTimeout(() => void t.engine.finish(d.id, 'complete', { output: { result: 'hello', n: [1, 2] } }), 30);
    };
    const res = await execute('?wait=true', '{}', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json()).toEqual({ result: 'hello', n: [1, 2] });
    expect(res.headers['direktiv-instanceid']).toMatch(/^runs\/hello\//);
  });

  it('returns only the field with &field=<jq>', async () => {
    t.engine.onStart = (d) => void t.engine.finish(d.id, 'complete', { output: { result: 'hello', n: [1, 2] } });
    expect((await execute('?wait=true&field=.result')).body).toBe('"hello"');
    expect((await execute(`?wait=true&field=${encodeURIComponent('.n | map(. * 10)')}`)).json()).toEqual([10, 20]);
    expect((await execute(`?wait=true&field=${encodeURIComponent('.n[]')}`)).json()).toEqual([1, 2]);
    const bad = await execute(`?wait=true&field=${encodeURIComponent('.[')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/^field: /);
    const executedBefore = t.engine.executed.length;
    await execute(`?wait=true&field=${encodeURIComponent('.[')}`);
    expect(t.engine.executed.length).toBe(executedBefore); // refused before starting anything
  });

  it('answers 500 with the error headers for a failed instance', async () => {
    t.engine.onStart = (d) =>
      void t.engine.finish(d.id, 'failed', { errorCode: 'my.error', errorMessage: 'it went wrong: ünïcode\nnewline' });
    const res = await execute('?wait=true');
    expect(res.statusCode).toBe(500);
    expect(res.headers['direktiv-errorcode']).toBe('my.error');
    expect(res.headers['direktiv-errormessage']).toBe('it went wrong: %C3%BCn%C3%AFcode%0Anewline');
    expect(res.headers['direktiv-instanceid']).toMatch(/^runs\/hello\//);
    const body = res.json<{ code: number; message: string; details: Record<string, unknown>[] }>();
    expect(body.code).toBe(500);
    expect(body.details[0]).toMatchObject({ status: 'failed', errorCode: 'my.error' });
  });

  it('answers 202 with the id when the wait runs out, bounded by the server maximum', async () => {
    let started = Date.now();
    const res = await execute('?wait=true&timeout=PT0.2S');
    expect(res.statusCode).toBe(202);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.json<{ instanceId: string }>().instanceId).toBe(res.headers['direktiv-instanceid']);
    started = Date.now();
    expect((await execute('?wait=true&timeout=0.1')).statusCode).toBe(202);
    started = Date.now();
    expect((await execute('?wait=true&timeout=3600')).statusCode).toBe(202); // capped at maxWaitMs (2 s)
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(3500);
    for (const bad of ['soon', '-1', 'P', 'PT']) {
      const r = await execute(`?wait=true&timeout=${bad}`);
      expect(r.statusCode).toBe(400);
      expect(r.json<{ message: string }>().message).toContain('timeout');
    }
  });

  it('answers 413 for an input over the body limit', async () => {
    const small = await createTestApp(backend, { bodyLimit: 100 });
    try {
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/namespaces/runs/workflows/hello/execute',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ big: 'x'.repeat(200) }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 413 });
      expect(small.engine.executed).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});
