/**
 * The secrets and registries routes with the real Secrets (both databases, on both backends):
 * names listed, values write-only, bad input named, an unreachable secrets service a 503 that
 * changes nothing, and namespace deletion taking the secrets with it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.js';
import type { SecretsApi } from '../../src/api/index.js';
import { Secrets, SecretsUnavailableError, generateMasterKey, localBackend } from '../../src/secrets/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { createSecretsTestDb } from '../secrets/helpers.js';
import { FakeEngine } from './fake-engine.js';
import { baseConfig } from './setup.js';

const VALUE = 'v4lue-that-must-never-come-back';

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });

describe.each(BACKENDS)('secrets routes on %s', (backend) => {
  let main: TestDb;
  let sec: TestDb;
  let app: FastifyInstance;
  const seen: string[] = [];
  const call = async (method: 'GET' | 'POST' | 'DELETE' | 'PUT', url: string, body?: unknown) => {
    const r = await app.inject({ method, url, ...(body === undefined ? {} : json(body)) });
    seen.push(r.body);
    return r;
  };

  beforeAll(async () => {
    main = await createTestDb(backend, 4);
    sec = await createSecretsTestDb(backend);
    const secrets = new Secrets({ mainDb: main.db, backend: localBackend(sec.db), keyring: { current: generateMasterKey(), previous: [] } });
    app = buildApp({ db: main.db, engine: new FakeEngine(main.db), config: baseConfig, secrets });
    await app.ready();
    await call('PUT', '/api/namespaces/vault');
  });
  afterAll(async () => {
    // No answer of any route ever carried a value.
    for (const body of seen) expect(body).not.toContain(VALUE);
    await app.close();
    await main.drop();
    await sec.drop();
  });

  it('creates, replaces, lists (names only, paged) and deletes secrets', async () => {
    for (const name of ['b-token', 'a.password', 'C_KEY']) {
      const r = await call('POST', '/api/namespaces/vault/secrets', { name, data: VALUE });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ name });
    }
    expect((await call('POST', '/api/namespaces/vault/secrets', { name: 'b-token', data: `${VALUE}-2` })).statusCode).toBe(200);
    const list = await call('GET', '/api/namespaces/vault/secrets');
    expect(list.json()).toEqual({ items: [{ name: 'C_KEY' }, { name: 'a.password' }, { name: 'b-token' }], total: 3, offset: 0, limit: 50 });
    expect((await call('GET', '/api/namespaces/vault/secrets?offset=1&limit=1')).json()).toEqual({
      items: [{ name: 'a.password' }],
      total: 3,
      offset: 1,
      limit: 1,
    });
    expect((await call('DELETE', '/api/namespaces/vault/secrets/C_KEY')).statusCode).toBe(204);
    const again = await call('DELETE', '/api/namespaces/vault/secrets/C_KEY');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ message: 'secret "C_KEY" in namespace "vault" does not exist' });
  });

  it('registries by host, with user:token values', async () => {
    expect((await call('POST', '/api/namespaces/vault/registries', { name: 'https://Registry.Example.com:5000/v2/', data: 'robot:tok' })).statusCode).toBe(200);
    expect((await call('POST', '/api/namespaces/vault/registries', { name: 'docker.io', data: `user:${VALUE}` })).statusCode).toBe(200);
    expect((await call('GET', '/api/namespaces/vault/registries')).json()).toMatchObject({
      items: [{ name: 'docker.io' }, { name: 'registry.example.com:5000' }],
      total: 2,
    });
    const bad = await call('POST', '/api/namespaces/vault/registries', { name: 'ghcr.io', data: VALUE });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: 'registry credentials must be "user:token"' });
    expect((await call('DELETE', '/api/namespaces/vault/registries/registry.example.com:5000')).statusCode).toBe(204);
    expect((await call('GET', '/api/namespaces/vault/registries')).json()).toMatchObject({ items: [{ name: 'docker.io' }], total: 1 });
  });

  it('names what is wrong: names, sizes, bodies, namespaces', async () => {
    const badName = await call('POST', '/api/namespaces/vault/secrets', { name: 'no spaces', data: VALUE });
    expect(badName.statusCode).toBe(400);
    expect(badName.json<{ message: string }>().message).toMatch(/invalid secret name "no spaces": 1 to 128 letters/);
    const big = await call('POST', '/api/namespaces/vault/secrets', { name: 'big', data: 'x'.repeat(64 * 1024 + 1) });
    expect(big.statusCode).toBe(413);
    const huge = await call('POST', '/api/namespaces/vault/secrets', { name: 'huge', data: 'x'.repeat(300 * 1024) });
    expect(huge.statusCode).toBe(413);
    const missing = await call('POST', '/api/namespaces/vault/secrets', { name: 'x' });
    expect(missing.statusCode).toBe(400);
    const broken = await app.inject({
      method: 'POST',
      url: '/api/namespaces/vault/secrets',
      payload: `{"name": "x", "data": "${VALUE}"`,
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).not.toContain(VALUE);
    expect(broken.json()).toMatchObject({ message: 'the body is not valid JSON' });
    for (const [method, url] of [
      ['GET', '/api/namespaces/nowhere/secrets'],
      ['DELETE', '/api/namespaces/nowhere/secrets/x'],
    ] as const) {
      expect((await call(method, url)).statusCode, url).toBe(404);
    }
    expect((await call('POST', '/api/namespaces/nowhere/secrets', { name: 'x', data: VALUE })).statusCode).toBe(404);
    expect((await call('GET', '/api/namespaces/vault/secrets')).json<{ items: { name: string }[] }>().items.map((i) => i.name)).not.toContain('big');
  });

  it('deleting a namespace deletes its secrets: a namespace of the same name starts empty', async () => {
    await call('PUT', '/api/namespaces/gone');
    await call('POST', '/api/namespaces/gone/secrets', { name: 'token', data: VALUE });
    expect((await call('DELETE', '/api/namespaces/gone')).statusCode).toBe(204);
    expect((await sec.db.query(`SELECT 1 FROM secrets WHERE namespace = 'gone'`)).rowCount).toBe(0);
    await call('PUT', '/api/namespaces/gone');
    expect((await call('GET', '/api/namespaces/gone/secrets')).json()).toMatchObject({ items: [], total: 0 });
  });

  it('/api/healthz reports the secrets the flow component uses', async () => {
    const health = await call('GET', '/api/healthz');
    expect(health.json()).toMatchObject({
      status: 'ok',
      components: { s: { enabled: false, available: true, message: 'not started on this node; the flow component reaches it' } },
    });
  });

  it('the OpenAPI document describes the routes and holds no value', async () => {
    const doc = await call('GET', '/api/openapi.json');
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/namespaces/{ns}/secrets', '/api/namespaces/{ns}/secrets/{name}', '/api/namespaces/{ns}/registries']));
  });
});

describe('secrets routes without a reachable secrets service', () => {
  let main: TestDb;
  beforeAll(async () => {
    main = await createTestDb('postgres', 4);
  });
  afterAll(async () => {
    await main.drop();
  });

  it('no secrets component: 503 on every route; namespaces are still deleted', async () => {
    const app = buildApp({ db: main.db, engine: new FakeEngine(main.db), config: baseConfig });
    try {
      await app.inject({ method: 'PUT', url: '/api/namespaces/plain' });
      for (const [method, url] of [
        ['GET', '/api/namespaces/plain/secrets'],
        ['POST', '/api/namespaces/plain/registries'],
        ['DELETE', '/api/namespaces/plain/secrets/x'],
      ] as const) {
        const r = await app.inject({ method, url, ...(method === 'POST' ? json({ name: 'docker.io', data: 'a:b' }) : {}) });
        expect(r.statusCode, url).toBe(503);
        expect(r.json()).toEqual({ code: 503, message: 'secrets are not available: no secrets component is configured on this node', details: [] });
      }
      expect((await app.inject({ method: 'DELETE', url: '/api/namespaces/plain' })).statusCode).toBe(204);
    } finally {
      await app.close();
    }
  });

  it('an unreachable service: 503 naming it, and a namespace deletion that changes nothing', async () => {
    const down = (): Promise<never> => Promise.reject(new SecretsUnavailableError('the secrets service at 127.0.0.1:2610 is not reachable: connect ECONNREFUSED'));
    const unreachable: SecretsApi = {
      list: down,
      set: down,
      delete: down,
      deleteNamespace: down,
      problem: () => Promise.resolve('the secrets service at 127.0.0.1:2610 is not reachable: connect ECONNREFUSED'),
    };
    const app = buildApp({ db: main.db, engine: new FakeEngine(main.db), config: baseConfig, secrets: unreachable });
    try {
      await app.inject({ method: 'PUT', url: '/api/namespaces/kept' });
      const r = await app.inject({ method: 'POST', url: '/api/namespaces/kept/secrets', ...json({ name: 'a', data: 'b' }) });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ code: 503, message: expect.stringContaining('not reachable') as unknown });
      expect((await app.inject({ method: 'DELETE', url: '/api/namespaces/kept' })).statusCode).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/api/namespaces' })).json<{ items: { name: string }[] }>().items.map((n) => n.name)).toContain('kept');
      // The node is up, but says what it cannot do.
      const health = await app.inject({ method: 'GET', url: '/api/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: 'degraded',
        components: { s: { enabled: false, available: false, message: 'the secrets service at 127.0.0.1:2610 is not reachable: connect ECONNREFUSED' } },
      });
    } finally {
      await app.close();
    }
  });
});
