import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, HELLO, yaml } from './setup.js';
import type { TestApp } from './setup.js';

type Problem = { path: string; line?: number; column?: number; message: string };

describe.each(BACKENDS)('workflow routes on %s', (backend) => {
  let t: TestApp;
  const post = (ns: string, payload: string, type = 'application/yaml', query = '') =>
    t.app.inject({ method: 'POST', url: `/api/namespaces/${ns}/workflows${query}`, headers: { 'content-type': type }, payload });
  const put = (ns: string, wf: string, payload: string, query = '', type = 'text/yaml') =>
    t.app.inject({ method: 'PUT', url: `/api/namespaces/${ns}/workflows/${wf}${query}`, headers: { 'content-type': type }, payload });

  beforeAll(async () => {
    t = await createTestApp(backend);
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/flows' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates from YAML (201), gets it with its source, lists it', async () => {
    const res = await post('flows', HELLO);
    expect(res.statusCode).toBe(201);
    const created = res.json<Record<string, unknown>>();
    expect(created).toMatchObject({ id: 'hello', namespace: 'flows', revision: 1, active: true, description: 'says hello', source: HELLO, warnings: [] });
    expect(created.uid).toMatch(/^[0-9a-f-]{36}$/);

    const got = await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/hello' });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: 'hello', uid: created.uid, revision: 1, source: HELLO });

    const list = await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows' });
    expect(list.statusCode).toBe(200);
    const body = list.json<{ items: Record<string, unknown>[]; total: number }>();
    expect(body.total).toBeGreaterThanOrEqual(1);
    const item = body.items.find((w) => w.id === 'hello')!;
    for (const key of ['id', 'uid', 'revision', 'active', 'createdAt', 'description']) expect(item).toHaveProperty(key);
    expect(item).not.toHaveProperty('source');
  });

  it.each(['text/yaml', 'application/x-yaml', 'text/plain; charset=utf-8', 'application/yaml; charset=utf-8'])(
    'accepts the content type %s',
    async (type) => {
      const id = `ct-${type.replace(/[^a-z]/g, '').slice(0, 20)}`;
      expect((await post('flows', yaml(id), type)).statusCode).toBe(201);
    },
  );

  it('takes a body without content type as YAML, refuses other types with 415', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/api/namespaces/flows/workflows', payload: yaml('no-type') });
    expect(none.statusCode).toBe(201);
    for (const type of ['application/json', 'application/octet-stream', 'image/png']) {
      const res = await post('flows', yaml('wrong-type'), type);
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ code: 415, details: [] });
      expect(res.json<{ message: string }>().message).toContain('application/yaml');
    }
  });

  it('creates a disabled workflow with ?active=false', async () => {
    const res = await post('flows', yaml('disabled'), 'application/yaml', '?active=false');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ active: false });
    expect((await post('flows', yaml('bad-active'), 'application/yaml', '?active=maybe')).statusCode).toBe(400);
  });

  it('answers 400 with one detail per problem, with line and column, and stores nothing', async () => {
    const source = 'id: invalid\nstates:\n- id: a\n  type: noop\n  transition: nowhere\n  bogus: 1\n';
    const res = await post('flows', source);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: number; message: string; details: Problem[] }>();
    expect(body.code).toBe(400);
    expect(body.message).toContain('2 problems');
    expect(body.details).toEqual([
      expect.objectContaining({ path: 'states[0].transition', line: 5, column: 15 }),
      expect.objectContaining({ path: 'states[0].bogus', line: 6, column: 3 }),
    ]);
    expect(body.details[1]!.message).toContain('bogus');
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/invalid' })).statusCode).toBe(404);
    const yamlError = await post('flows', 'id: [unclosed\n');
    expect(yamlError.statusCode).toBe(400);
    expect(yamlError.json<{ details: Problem[] }>().details[0]).toHaveProperty('line');
    const empty = await post('flows', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ details: Problem[] }>().details).toEqual([{ path: '', message: 'the workflow is empty' }]);
  });

  it('returns warnings with a stored workflow', async () => {
    const res = await post('flows', 'id: warned\nstates:\n- id: a\n  type: noop\n- id: b\n  type: noop\n');
    expect(res.statusCode).toBe(201);
    expect(res.json<{ warnings: Problem[] }>().warnings).toEqual([expect.objectContaining({ path: 'states[1]', line: 5 })]);
  });

  it('refuses a duplicate (409), a missing namespace (404), and a bad id (400)', async () => {
    await post('flows', yaml('twice'));
    const dup = await post('flows', yaml('twice'));
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 409, message: expect.stringContaining('already exists') as unknown });
    const missing = await post('nowhere', yaml('lost'));
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ message: 'namespace "nowhere" does not exist' });
    const badId = await post('flows', yaml('Bad_Id'));
    expect(badId.statusCode).toBe(400);
    expect(badId.json<{ details: Problem[] }>().details[0]!.path).toBe('id');
  });

  it('updates with new revisions, checks ?revision, refuses renames', async () => {
    await post('flows', yaml('evolving'));
    const v2 = await put('flows', 'evolving', yaml('evolving', 'description: second\n'), '?revision=1');
    expect(v2.statusCode).toBe(200);
    expect(v2.json()).toMatchObject({ id: 'evolving', revision: 2, description: 'second', warnings: [] });
    const stale = await put('flows', 'evolving', yaml('evolving'), '?revision=1');
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toEqual({
      code: 409,
      message: expect.stringContaining('revision 2, not 1') as unknown,
      details: [{ expectedRevision: 1, currentRevision: 2 }],
    });
    const v3 = await put('flows', 'evolving', yaml('evolving'));
    expect(v3.json()).toMatchObject({ revision: 3 });
    const renamed = await put('flows', 'evolving', yaml('renamed'));
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json<{ details: Problem[] }>().details[0]).toMatchObject({ path: 'id' });
    const invalid = await put('flows', 'evolving', 'id: evolving\nstates: []\n');
    expect(invalid.statusCode).toBe(400);
    expect((await put('flows', 'ghost', yaml('ghost'))).statusCode).toBe(404);
    expect((await put('flows', 'evolving', yaml('evolving'), '?revision=zero')).statusCode).toBe(400);
    expect((await put('flows', 'evolving', yaml('evolving'), '', 'application/json')).statusCode).toBe(415);
    const got = await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/evolving' });
    expect(got.json()).toMatchObject({ revision: 3 });
  });

  it('logToEvents: set on create, kept or changed on update, changed through toggle without a new revision', async () => {
    const created = await post('flows', yaml('logging'), 'application/yaml', '?logToEvents=audit');
    expect(created.json()).toMatchObject({ id: 'logging', logToEvents: 'audit' });
    expect((await put('flows', 'logging', yaml('logging'))).json()).toMatchObject({ revision: 2, logToEvents: 'audit' });
    expect((await put('flows', 'logging', yaml('logging'), '?logToEvents=ops')).json()).toMatchObject({ revision: 3, logToEvents: 'ops' });
    const toggled = await t.app.inject({ method: 'PUT', url: '/api/namespaces/flows/workflows/logging/toggle', payload: { logToEvents: null } });
    expect(toggled.json()).toMatchObject({ revision: 3, active: true, logToEvents: null });
    const got = await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/logging' });
    expect(got.json()).toMatchObject({ logToEvents: null });
    expect((await put('flows', 'logging', yaml('logging'), '?logToEvents=')).json()).toMatchObject({ logToEvents: null });
  });

  it('toggles with a JSON body', async () => {
    await post('flows', yaml('switchable'));
    const off = await t.app.inject({ method: 'PUT', url: '/api/namespaces/flows/workflows/switchable/toggle', payload: { active: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: 'switchable', active: false, revision: 1 });
    const bad = await t.app.inject({ method: 'PUT', url: '/api/namespaces/flows/workflows/switchable/toggle', payload: {} });
    expect(bad.statusCode).toBe(400);
    const notJson = await t.app.inject({
      method: 'PUT',
      url: '/api/namespaces/flows/workflows/switchable/toggle',
      headers: { 'content-type': 'application/json' },
      payload: '{"active": tru',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 400, details: [] });
    const yamlBody = await t.app.inject({
      method: 'PUT',
      url: '/api/namespaces/flows/workflows/switchable/toggle',
      headers: { 'content-type': 'application/yaml' },
      payload: 'active: true',
    });
    expect(yamlBody.statusCode).toBe(415);
    const ghost = await t.app.inject({ method: 'PUT', url: '/api/namespaces/flows/workflows/ghost/toggle', payload: { active: true } });
    expect(ghost.statusCode).toBe(404);
  });

  it('deletes (204) and then answers 404', async () => {
    await post('flows', yaml('short-lived'));
    expect((await t.app.inject({ method: 'DELETE', url: '/api/namespaces/flows/workflows/short-lived' })).statusCode).toBe(204);
    const again = await t.app.inject({ method: 'DELETE', url: '/api/namespaces/flows/workflows/short-lived' });
    expect(again.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/short-lived' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/namespaces/none/workflows/x-y' })).json()).toMatchObject({
      message: 'namespace "none" does not exist',
    });
  });

  it('404s for workflows and lists of missing namespaces, 400 for bad workflow names', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/none/workflows' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/absent' })).json()).toMatchObject({
      code: 404,
      message: 'workflow "absent" does not exist in namespace "flows"',
    });
    const bad = await t.app.inject({ method: 'GET', url: '/api/namespaces/flows/workflows/NOPE' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain('invalid workflow name');
  });

  it('answers 413 for a YAML body over the limit and stores nothing', async () => {
    const small = await createTestApp(backend, { bodyLimit: 1024 });
    try {
      await small.app.inject({ method: 'PUT', url: '/api/namespaces/tiny' });
      const big = yaml('too-big', `description: ${'x'.repeat(2000)}\n`);
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/namespaces/tiny/workflows',
        headers: { 'content-type': 'application/yaml' },
        payload: big,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ code: 413, message: 'the request body is larger than the limit of 1024 bytes', details: [] });
      expect((await small.app.inject({ method: 'GET', url: '/api/namespaces/tiny/workflows' })).json()).toMatchObject({ total: 0 });
    } finally {
      await small.close();
    }
  });
});
