import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.js';
import { instancesStarted } from '../../src/metrics/index.js';
import { BACKENDS } from '../helpers/db.js';
import { FakeEngine } from './fake-engine.js';
import { baseConfig, createTestApp, yaml } from './setup.js';
import type { TestApp } from './setup.js';

/** Every route the API serves, as api.md lists them, and the event history. */
const ROUTES = [
  'GET /api/healthz',
  'GET /api/namespaces',
  'PUT /api/namespaces/{ns}',
  'DELETE /api/namespaces/{ns}',
  'GET /api/namespaces/{ns}/workflows',
  'POST /api/namespaces/{ns}/workflows',
  'GET /api/namespaces/{ns}/workflows/{wf}',
  'PUT /api/namespaces/{ns}/workflows/{wf}',
  'DELETE /api/namespaces/{ns}/workflows/{wf}',
  'PUT /api/namespaces/{ns}/workflows/{wf}/toggle',
  'GET /api/namespaces/{ns}/workflows/{wf}/instances',
  'POST /api/namespaces/{ns}/workflows/{wf}/execute',
  'GET /api/namespaces/{ns}/instances',
  'GET /api/instances/{ns}/{wf}/{id}',
  'DELETE /api/instances/{ns}/{wf}/{id}',
  'GET /api/instances/{ns}/{wf}/{id}/logs',
  'GET /api/namespaces/{ns}/logs',
  'POST /api/namespaces/{ns}/event',
  'POST /api/namespaces/{ns}/events',
  'GET /api/namespaces/{ns}/events',
  'GET /api/namespaces/{ns}/events/{seq}',
  'POST /api/namespaces/{ns}/events/{seq}/replay',
  'GET /api/namespaces/{ns}/secrets',
  'POST /api/namespaces/{ns}/secrets',
  'DELETE /api/namespaces/{ns}/secrets/{name}',
  'GET /api/namespaces/{ns}/registries',
  'POST /api/namespaces/{ns}/registries',
  'DELETE /api/namespaces/{ns}/registries/{name}',
  'GET /api/namespaces/{ns}/variables',
  'GET /api/namespaces/{ns}/variables/{key}',
  'PUT /api/namespaces/{ns}/variables/{key}',
  'DELETE /api/namespaces/{ns}/variables/{key}',
  'GET /api/namespaces/{ns}/workflows/{wf}/variables',
  'GET /api/namespaces/{ns}/workflows/{wf}/variables/{key}',
  'PUT /api/namespaces/{ns}/workflows/{wf}/variables/{key}',
  'DELETE /api/namespaces/{ns}/workflows/{wf}/variables/{key}',
  'GET /api/instances/{ns}/{wf}/{id}/variables',
  'GET /api/instances/{ns}/{wf}/{id}/variables/{key}',
  'POST /api/jq',
  'GET /api/openapi.json',
  'GET /api/metrics',
  'GET /metrics',
];

const KEY = 'test-key-0123456789';

describe.each(BACKENDS)('health, auth, errors, openapi, metrics and jq on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports each component, the ones not built yet as unavailable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      components: {
        w: { name: 'flow and ingress', enabled: true, available: true },
        i: { name: 'action (isolate) service', enabled: false, available: false, message: 'not started on this node' },
        s: { name: 'secrets service', enabled: false, available: false, message: 'not started on this node' },
      },
      warnings: [],
    });
  });

  it('says why a component is unavailable, and warns when the API is insecure', async () => {
    const app = buildApp({
      db: t.db,
      engine: t.engine,
      config: {
        ...baseConfig,
        components: { w: true, i: true, s: true },
        unavailable: ['the action service (i) is not available in this version yet: functions fail', 's'],
        insecure: true,
      },
    });
    try {
      const body = (await app.inject({ method: 'GET', url: '/api/healthz' })).json<{
        status: string;
        components: Record<string, { available: boolean; message?: string }>;
        warnings: string[];
      }>();
      expect(body.status).toBe('degraded');
      expect(body.components.w!.available).toBe(true);
      expect(body.components.i).toMatchObject({ available: false, message: expect.stringContaining('(i) is not available') as unknown });
      expect(body.components.s).toMatchObject({ available: false, message: expect.stringContaining('not available in this version') as unknown });
      expect(body.warnings).toEqual([expect.stringContaining('Insecure = true')]);
    } finally {
      await app.close();
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    for (const [method, url] of [
      ['GET', '/nothing'],
      ['GET', '/api/namespaces/abc/unknown'],
      ['POST', '/api/namespaces'],
      ['PATCH', '/api/namespaces/abc'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.json()).toEqual({ code: 404, message: `no route ${method} ${url}`, details: [] });
    }
  });

  it('documents every route it serves in /api/openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { responses: object; parameters: { name: string; in: string }[] }>> }>();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual([...ROUTES].sort());
    for (const route of ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      const fastifyPath = path.replace(/\{(\w+)\}/g, ':$1');
      expect(t.app.hasRoute({ method: method as 'GET', url: fastifyPath }), route).toBe(true);
      const op = doc.paths[path]![method.toLowerCase()]!;
      expect(Object.keys(op.responses).length, route).toBeGreaterThan(0);
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        expect(op.parameters.some((p) => p.in === 'path' && `{${p.name}}` === param), `${route} ${param}`).toBe(true);
      }
    }
    const list = doc.paths['/api/namespaces']!.get!;
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['query:offset', 'query:limit']);
  });

  it('serves Prometheus metrics on /api/metrics and /metrics', async () => {
    instancesStarted.inc({ namespace: `metrics-${backend}` });
    await t.app.inject({ method: 'GET', url: '/api/namespaces' });
    for (const url of ['/api/metrics', '/metrics']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      const text = res.body;
      expect(text).toContain('# TYPE direktiv_instances_started_total counter');
      expect(text).toContain(`direktiv_instances_started_total{namespace="metrics-${backend}"} 1`);
      expect(text).toContain('# TYPE direktiv_instances_ended_total counter');
      expect(text).toContain('# TYPE direktiv_state_transitions_total counter');
      expect(text).toContain('# TYPE direktiv_api_request_duration_seconds histogram');
      expect(text).toMatch(/direktiv_api_requests_total\{method="GET",route="\/api\/namespaces",status="200"\} \d+/);
      expect(text).toContain('process_cpu_user_seconds_total');
      for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
        expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$/);
      }
    }
  });

  it('evaluates jq like the engine', async () => {
    const ok = await t.app.inject({ method: 'POST', url: '/api/jq', payload: { query: '.a[] | . * 2', data: { a: [1, 2, 3] } } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ results: [2, 4, 6] });
    expect((await t.app.inject({ method: 'POST', url: '/api/jq', payload: { query: '[nan, infinite]' } })).json()).toEqual({
      results: [[null, 1.7976931348623157e308]],
    });
    expect((await t.app.inject({ method: 'POST', url: '/api/jq', payload: { query: 'empty' } })).json()).toEqual({ results: [] });
    const syntax = await t.app.inject({ method: 'POST', url: '/api/jq', payload: { query: '.a |', data: {} } });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json<{ message: string }>().message).toMatch(/line 1, column/);
    const runtime = await t.app.inject({ method: 'POST', url: '/api/jq', payload: { query: 'error("boom")', data: null } });
    expect(runtime.statusCode).toBe(400);
    expect(runtime.json()).toEqual({ code: 400, message: 'boom', details: [] });
    expect((await t.app.inject({ method: 'POST', url: '/api/jq', payload: { data: 1 } })).statusCode).toBe(400);
    const badJson = await t.app.inject({ method: 'POST', url: '/api/jq', headers: { 'content-type': 'application/json' }, payload: '{"query":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ code: 400, details: [] });
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/jq', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toMatchObject({ code: 415 });
  });

  it('requires the API key on every route but /api/healthz, compared in constant time', async () => {
    const secured = buildApp({ db: t.db, engine: new FakeEngine(t.db), config: { ...baseConfig, apiKey: KEY } });
    try {
      expect((await secured.inject({ method: 'GET', url: '/api/healthz' })).statusCode).toBe(200);
      for (const route of ROUTES.filter((r) => r !== 'GET /api/healthz')) {
        const [method, path] = route.split(' ') as [string, string];
        const url = path.replace('{ns}', 'sec-ns').replace('{wf}', 'sec-wf').replace('{id}', 'x').replace('{key}', 'k');
        const res = await secured.inject({ method: method as 'GET', url });
        expect(res.statusCode, route).toBe(401);
        expect(res.json(), route).toMatchObject({ code: 401, details: [] });
      }
      const missing = await secured.inject({ method: 'GET', url: '/api/namespaces' });
      expect(missing.headers['www-authenticate']).toContain('Bearer');
      expect(missing.json<{ message: string }>().message).toContain('Authorization: Bearer');
      const wrong = await secured.inject({ method: 'GET', url: '/api/namespaces', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json<{ message: string }>().message).toBe('the API key is not valid');
      expect((await secured.inject({ method: 'GET', url: '/api/namespaces', headers: { authorization: `Basic ${KEY}` } })).statusCode).toBe(401);
      expect((await secured.inject({ method: 'GET', url: '/nothing' })).statusCode).toBe(401);
      expect((await secured.inject({ method: 'GET', url: '/api/namespaces', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
      expect((await secured.inject({ method: 'GET', url: '/api/namespaces', headers: { authorization: `bearer  ${KEY}` } })).statusCode).toBe(200);
      expect((await secured.inject({ method: 'GET', url: '/api/namespaces', headers: { 'direktiv-token': KEY } })).statusCode).toBe(200);
      expect((await secured.inject({ method: 'GET', url: '/nothing', headers: { 'direktiv-token': KEY } })).statusCode).toBe(404);
      const doc = (await secured.inject({ method: 'GET', url: '/api/openapi.json', headers: { 'direktiv-token': KEY } })).json<{
        security: object[];
        paths: Record<string, Record<string, { security?: object[] }>>;
      }>();
      expect(doc.security).toEqual([{ bearer: [] }, { token: [] }]);
      expect(doc.paths['/api/healthz']!.get!.security).toEqual([]);
    } finally {
      await secured.close();
    }
  });

  it('never logs request bodies or the Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const app = buildApp({ db: t.db, engine: new FakeEngine(t.db), config: { ...baseConfig, apiKey: KEY }, logger });
    try {
      const auth = { authorization: `Bearer ${KEY}` };
      await app.inject({ method: 'PUT', url: '/api/namespaces/logged', headers: auth });
      await app.inject({
        method: 'POST',
        url: '/api/namespaces/logged/workflows',
        headers: { ...auth, 'content-type': 'application/yaml' },
        payload: yaml('secret-flow', 'description: BODY-SECRET-1\n'),
      });
      await app.inject({ method: 'PUT', url: '/api/namespaces/logged/variables/v', headers: auth, payload: 'BODY-SECRET-2' });
      await app.inject({ method: 'POST', url: '/api/jq', headers: auth, payload: { query: '"BODY-SECRET-3"' } });
      await app.inject({ method: 'GET', url: '/api/namespaces', headers: { authorization: 'Bearer WRONG-SECRET-4' } });
      const all = lines.join('');
      expect(all).toContain('incoming request');
      expect(all).toContain('/api/namespaces/logged/workflows');
      for (const secret of [KEY, 'BODY-SECRET-1', 'BODY-SECRET-2', 'BODY-SECRET-3', 'WRONG-SECRET-4', 'authorization']) {
        expect(all.toLowerCase()).not.toContain(secret.toLowerCase());
      }
    } finally {
      await app.close();
    }
  });
});
