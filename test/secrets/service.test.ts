import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildSecretsService, migrateSecretsDb } from '../../src/secrets/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { createSecretsTestDb } from './helpers.js';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const c64 = (s: string) => Buffer.concat([Buffer.alloc(29, 1), Buffer.from(s)]).toString('base64');

describe.each(BACKENDS)('secrets service on %s', (backend) => {
  let t: TestDb;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await createSecretsTestDb(backend);
    app = buildSecretsService({ db: t.db, token: TOKEN });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('refuses unauthenticated and wrongly authenticated calls (401), except /v1/healthz', async () => {
    const calls = [
      { method: 'GET' as const, url: '/v1/namespaces/demo/secret' },
      { method: 'PUT' as const, url: '/v1/namespaces/demo/secret/A', payload: { ciphertext: c64('x') } },
      { method: 'POST' as const, url: '/v1/namespaces/demo/secret/fetch', payload: { names: ['A'] } },
      { method: 'DELETE' as const, url: '/v1/namespaces/demo' },
      { method: 'GET' as const, url: '/v1/nothing-here' },
    ];
    for (const c of calls) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
        const r = await app.inject({ ...c, headers });
        expect(r.statusCode, `${c.method} ${c.url} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.json()).toMatchObject({ code: 401 });
        expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    const h = await app.inject({ method: 'GET', url: '/v1/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toEqual({ status: 'ok' });
  });

  it('stores, lists, fetches and deletes ciphertexts', async () => {
    for (const name of ['B', 'A', 'C.d_e-f']) {
      const r = await app.inject({ method: 'PUT', url: `/v1/namespaces/demo/secret/${name}`, headers: auth, payload: { ciphertext: c64(name) } });
      expect(r.statusCode).toBe(204);
    }
    const reg = await app.inject({ method: 'PUT', url: '/v1/namespaces/demo/registry/registry.example.com:5000', headers: auth, payload: { ciphertext: c64('r') } });
    expect(reg.statusCode).toBe(204);
    // replace
    await app.inject({ method: 'PUT', url: '/v1/namespaces/demo/secret/A', headers: auth, payload: { ciphertext: c64('A2') } });

    const list = await app.inject({ method: 'GET', url: '/v1/namespaces/demo/secret?limit=2&offset=1', headers: auth });
    expect(list.json()).toEqual({ names: ['B', 'C.d_e-f'], total: 3 });
    const regs = await app.inject({ method: 'GET', url: '/v1/namespaces/demo/registry', headers: auth });
    expect(regs.json()).toEqual({ names: ['registry.example.com:5000'], total: 1 });

    const f = await app.inject({ method: 'POST', url: '/v1/namespaces/demo/secret/fetch', headers: auth, payload: { names: ['A', 'missing', 'B'] } });
    expect(f.json()).toEqual({ items: { A: c64('A2'), B: c64('B') } });

    const d = await app.inject({ method: 'DELETE', url: '/v1/namespaces/demo/secret/B', headers: auth });
    expect(d.json()).toEqual({ deleted: true });
    const d2 = await app.inject({ method: 'DELETE', url: '/v1/namespaces/demo/secret/B', headers: auth });
    expect(d2.json()).toEqual({ deleted: false });

    const dn = await app.inject({ method: 'DELETE', url: '/v1/namespaces/demo', headers: auth });
    expect(dn.json()).toEqual({ deleted: 3 });
    const empty = await app.inject({ method: 'GET', url: '/v1/namespaces/demo/secret', headers: auth });
    expect(empty.json()).toEqual({ names: [], total: 0 });
  });

  it('refuses bad kinds, names, bodies and sizes with {code, message}', async () => {
    const bad = [
      { method: 'PUT' as const, url: '/v1/namespaces/demo/other/A', payload: { ciphertext: c64('x') }, status: 400 },
      { method: 'PUT' as const, url: '/v1/namespaces/demo/secret/a%20b', payload: { ciphertext: c64('x') }, status: 400 },
      { method: 'PUT' as const, url: `/v1/namespaces/demo/secret/${'a'.repeat(129)}`, payload: { ciphertext: c64('x') }, status: 400 },
      { method: 'PUT' as const, url: '/v1/namespaces/demo/registry/Docker.IO', payload: { ciphertext: c64('x') }, status: 400 },
      { method: 'PUT' as const, url: '/v1/namespaces/demo/registry/host:99999', payload: { ciphertext: c64('x') }, status: 400 },
      { method: 'PUT' as const, url: '/v1/namespaces/Bad_NS/secret/A', payload: { ciphertext: c64('x') }, status: 400 },
      { method: 'PUT' as const, url: '/v1/namespaces/demo/secret/A', payload: { ciphertext: '!!' }, status: 400 },
      { method: 'PUT' as const, url: '/v1/namespaces/demo/secret/A', payload: { ciphertext: c64('x'.repeat(64 * 1024 + 1)) }, status: 413 },
      { method: 'POST' as const, url: '/v1/namespaces/demo/secret/fetch', payload: { names: 'A' }, status: 400 },
      { method: 'GET' as const, url: '/v1/namespaces/demo/secret?limit=0', status: 400 },
    ];
    for (const { status, ...c } of bad) {
      const r = await app.inject({ ...c, headers: auth });
      expect(r.statusCode, `${c.method} ${c.url}`).toBe(status);
      const body = r.json<{ code: number; message: string }>();
      expect(body.code).toBe(status);
      expect(typeof body.message).toBe('string');
    }
    // exactly 64 KiB is fine
    const ok = await app.inject({ method: 'PUT', url: '/v1/namespaces/demo/secret/BIG', headers: auth, payload: { ciphertext: c64('x'.repeat(64 * 1024)) } });
    expect(ok.statusCode).toBe(204);
  });


  it('refuses to migrate the main database as the secrets database', async () => {
    const main = await createTestDb(backend, 2);
    try {
      await expect(migrateSecretsDb(main.db)).rejects.toThrow(/must not be the main database/);
    } finally {
      await main.drop();
    }
  });
});
