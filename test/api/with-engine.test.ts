/**
 * The API with the real engine (not the fake): what a user sees through HTTP, on both backends.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { baseConfig } from './setup.js';

const GREETING = `id: greeting
states:
- id: nap
  type: delay
  duration: PT0.2S
  transition: hello
- id: hello
  type: noop
  log: 'greeting jq(.name)'
  transform:
    greeting: 'Hello, jq(.name)!'
`;

describe.each(BACKENDS)('API with the engine on %s', (backend) => {
  let e: TestEngine;
  let app: FastifyInstance;
  beforeAll(async () => {
    e = await startTestEngine(backend);
    app = buildApp({ db: e.t.db, engine: e.engine, config: baseConfig });
    await app.ready();
    expect((await app.inject({ method: 'PUT', url: '/api/namespaces/web' })).statusCode).toBe(201);
    const created = await app.inject({
      method: 'POST',
      url: '/api/namespaces/web/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: GREETING,
    });
    expect(created.statusCode).toBe(201);
  });
  afterAll(async () => {
    await app.close();
    await e.stop();
  });

  it('execute?wait=true answers with the output, field picks a part of it', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/namespaces/web/workflows/greeting/execute?wait=true',
      payload: { name: 'Ada' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ greeting: 'Hello, Ada!' });
    const id = r.headers['direktiv-instanceid'] as string;
    const got = await app.inject({ url: `/api/instances/${id}` });
    expect(got.json()).toMatchObject({ id, status: 'complete', flow: ['nap', 'hello'], input: { name: 'Ada' } });
    const field = await app.inject({
      method: 'POST',
      url: '/api/namespaces/web/workflows/greeting/execute?wait=true&field=.greeting',
      payload: { name: 'Bo' },
    });
    expect(field.json()).toBe('Hello, Bo!');
  });

  it('a failed instance answers 500 with its error code and message in headers', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/namespaces/web/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: `id: refuser
states:
- id: no
  type: error
  error: app.refused
  message: 'not today'
`,
    });
    const r = await app.inject({ method: 'POST', url: '/api/namespaces/web/workflows/refuser/execute?wait=true' });
    expect(r.statusCode).toBe(500);
    expect(r.headers['direktiv-errorcode']).toBe('app.refused');
    expect(r.headers['direktiv-errormessage']).toBe('not today');
  });

  it('live logs follow the instance until it ends', async () => {
    const started = await app.inject({
      method: 'POST',
      url: '/api/namespaces/web/workflows/greeting/execute',
      payload: { name: 'Cy' },
    });
    const id = (started.json() as { instanceId: string }).instanceId;
    const sse = await app.inject({ url: `/api/instances/${id}/logs`, headers: { accept: 'text/event-stream' } });
    expect(sse.statusCode).toBe(200);
    expect(sse.body).toContain('greeting Cy');
    expect(sse.body).toContain('Workflow completed.');
    expect(sse.body).toMatch(/event: end\ndata: \{"status":"complete"\}/);
  });

  it('cancelling through the API ends a waiting instance as cancelled', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/namespaces/web/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: `id: long-nap
states:
- id: nap
  type: delay
  duration: PT1H
`,
    });
    const started = await app.inject({ method: 'POST', url: '/api/namespaces/web/workflows/long-nap/execute' });
    const id = (started.json() as { instanceId: string }).instanceId;
    expect((await app.inject({ method: 'DELETE', url: `/api/instances/${id}` })).statusCode).toBe(204);
    const got = await app.inject({ url: `/api/instances/${id}` });
    expect(got.json()).toMatchObject({ status: 'cancelled', errorCode: 'direktiv.cancels.api' });
  });
});
