import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, HELLO } from './setup.js';
import type { TestApp } from './setup.js';

describe.each(BACKENDS)('namespace routes on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates (201), refuses duplicates (409), lists with paging, deletes (204, then 404)', async () => {
    const created = await t.app.inject({ method: 'PUT', url: '/api/namespaces/team-a' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'team-a' });
    const dup = await t.app.inject({ method: 'PUT', url: '/api/namespaces/team-a' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ code: 409, message: 'namespace "team-a" already exists', details: [] });
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/team-b' });
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/team-c' });

    const list = await t.app.inject({ method: 'GET', url: '/api/namespaces' });
    expect(list.statusCode).toBe(200);
    const body = list.json<{ items: { name: string; createdAt: string }[]; total: number; offset: number; limit: number }>();
    expect(body).toMatchObject({ total: 3, offset: 0, limit: 50 });
    expect(body.items.map((n) => n.name)).toEqual(['team-a', 'team-b', 'team-c']);
    const page = await t.app.inject({ method: 'GET', url: '/api/namespaces?offset=1&limit=1' });
    expect(page.json()).toMatchObject({ items: [{ name: 'team-b' }], total: 3, offset: 1, limit: 1 });

    const del = await t.app.inject({ method: 'DELETE', url: '/api/namespaces/team-c' });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const again = await t.app.inject({ method: 'DELETE', url: '/api/namespaces/team-c' });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ code: 404, message: 'namespace "team-c" does not exist' });
  });

  it('deleting a namespace takes its workflows with it', async () => {
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/doomed' });
    const wf = await t.app.inject({
      method: 'POST',
      url: '/api/namespaces/doomed/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: HELLO,
    });
    expect(wf.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/namespaces/doomed' })).statusCode).toBe(204);
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/doomed' });
    const list = await t.app.inject({ method: 'GET', url: '/api/namespaces/doomed/workflows' });
    expect(list.json()).toMatchObject({ items: [], total: 0 });
  });

  it.each(['AB', 'a', 'ab-', '9lives', 'has space', 'x'.repeat(37)])('refuses the bad name %j with what is allowed', async (name) => {
    const res = await t.app.inject({ method: 'PUT', url: `/api/namespaces/${encodeURIComponent(name)}` });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: number; message: string; details: unknown[] }>();
    expect(body.code).toBe(400);
    expect(body.message).toMatch(/invalid namespace name .*3 to 36 characters: lower-case letters, digits/);
    expect(body.details).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=1.5', 'offset'],
  ])('refuses the bad page %s', async (query, field) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/namespaces?${query}` });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: number; message: string; details: { path: string; message: string }[] }>();
    expect(body.code).toBe(400);
    expect(body.details[0]!.path).toBe(`querystring/${field}`);
  });

  it('accepts the largest page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/namespaces?limit=1000&offset=0' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ limit: 1000, offset: 0 });
  });
});
