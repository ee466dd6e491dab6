import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as variables from '../../src/variables/index.js';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, MiB, yaml } from './setup.js';
import type { TestApp } from './setup.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(BACKENDS)('variable routes on %s', (backend) => {
  let t: TestApp;
  let instanceId: string;
  const nsVar = (key: string) => `/api/namespaces/vars/variables/${key}`;
  const wfVar = (key: string) => `/api/namespaces/vars/workflows/holder/variables/${key}`;

  beforeAll(async () => {
    t = await createTestApp(backend, { maxVariableBytes: 8 * MiB, bodyLimit: 1 * MiB });
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/vars' });
    await t.app.inject({
      method: 'POST',
      url: '/api/namespaces/vars/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: yaml('holder'),
    });
    const run = await t.app.inject({ method: 'POST', url: '/api/namespaces/vars/workflows/holder/execute' });
    instanceId = run.json<{ instanceId: string }>().instanceId;
  });
  afterAll(async () => {
    await t.close();
  });

  it('puts, gets, lists and deletes a namespace variable, with its MIME type', async () => {
    const put = await t.app.inject({ method: 'PUT', url: nsVar('greeting'), headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: 'héllo' });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'greeting', size: 6, mimeType: 'text/plain; charset=utf-8' });
    const get = await t.app.inject({ method: 'GET', url: nsVar('greeting') });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(get.headers['content-length']).toBe('6');
    expect(get.body).toBe('héllo');
    await t.app.inject({ method: 'PUT', url: nsVar('config.json'), payload: { a: 1 } });
    await t.app.inject({ method: 'PUT', url: nsVar('raw'), payload: Buffer.from([1, 2, 3]) });
    const list = await t.app.inject({ method: 'GET', url: '/api/namespaces/vars/variables' });
    expect(list.json()).toMatchObject({
      total: 3,
      offset: 0,
      limit: 50,
      items: [
        { name: 'config.json', size: 7, mimeType: 'application/json' },
        { name: 'greeting', size: 6 },
        { name: 'raw', size: 3, mimeType: 'application/octet-stream' },
      ],
    });
    expect(Object.keys(list.json<{ items: object[] }>().items[0]!).sort()).toEqual(['mimeType', 'name', 'size', 'updatedAt']);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/vars/variables?limit=1&offset=2' })).json()).toMatchObject({
      items: [{ name: 'raw' }],
    });
    expect((await t.app.inject({ method: 'DELETE', url: nsVar('raw') })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: nsVar('raw') });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ code: 404, message: 'namespace variable "raw" does not exist', details: [] });
    expect((await t.app.inject({ method: 'DELETE', url: nsVar('raw') })).statusCode).toBe(404);
  });

  it('round-trips a multi-MB body byte-exact, streamed both ways', async () => {
    const data = randomBytes(5 * MiB + 321);
    // A chunked upload without Content-Length, in odd-sized pieces.
    let at = 0;
    const body = new Readable({
      read() {
        this.push(at < data.length ? data.subarray(at, (at += 99_991)) : null);
      },
    });
    const put = await t.app.inject({ method: 'PUT', url: wfVar('blob'), headers: { 'content-type': 'application/x-blob' }, payload: body });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'blob', size: data.length, mimeType: 'application/x-blob' });
    const get = await t.app.inject({ method: 'GET', url: wfVar('blob') });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('application/x-blob');
    expect(Number(get.headers['content-length'])).toBe(data.length);
    expect(get.rawPayload.length).toBe(data.length);
    expect(sha(get.rawPayload)).toBe(sha(data));
  });

  it('answers 413 over the limit (declared or streamed) and keeps the previous value', async () => {
    await t.app.inject({ method: 'PUT', url: nsVar('kept'), headers: { 'content-type': 'text/plain' }, payload: 'previous' });
    const declared = await t.app.inject({ method: 'PUT', url: nsVar('kept'), payload: Buffer.alloc(9 * MiB) });
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toEqual({ code: 413, message: `the value is larger than the limit of ${8 * MiB} bytes`, details: [] });
    let sent = 0;
    const chunked = new Readable({
      read() {
        this.push(sent < 9 * MiB ? Buffer.alloc(MiB / 2, 7) : null);
        sent += MiB / 2;
      },
    });
    const streamed = await t.app.inject({
      method: 'PUT',
      url: nsVar('kept'),
      headers: { 'content-type': 'application/octet-stream' },
      payload: chunked,
    });
    expect(streamed.statusCode).toBe(413);
    const get = await t.app.inject({ method: 'GET', url: nsVar('kept') });
    expect(get.body).toBe('previous');
    expect(get.headers['content-type']).toBe('text/plain');
    const chunks = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM variable_chunks');
    const vars = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM variables WHERE key = $1', ['kept']);
    expect(vars.rows[0]!.n).toBe(1);
    expect(chunks.rows[0]!.n).toBeLessThan(20);
  });

  it('keeps the workflow scope apart and 404s for a missing workflow', async () => {
    await t.app.inject({ method: 'PUT', url: wfVar('shared-name'), payload: 'workflow' });
    await t.app.inject({ method: 'PUT', url: nsVar('shared-name'), payload: 'namespace' });
    expect((await t.app.inject({ method: 'GET', url: wfVar('shared-name') })).body).toBe('workflow');
    expect((await t.app.inject({ method: 'GET', url: nsVar('shared-name') })).body).toBe('namespace');
    const list = await t.app.inject({ method: 'GET', url: '/api/namespaces/vars/workflows/holder/variables' });
    expect(list.json<{ items: { name: string }[] }>().items.map((v) => v.name)).toEqual(['blob', 'shared-name']);
    const ghost = await t.app.inject({ method: 'PUT', url: '/api/namespaces/vars/workflows/ghost/variables/x', payload: 'x' });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json<{ message: string }>().message).toBe('workflow "ghost" does not exist in namespace "vars"');
    expect((await t.app.inject({ method: 'DELETE', url: wfVar('shared-name') })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: nsVar('shared-name') })).statusCode).toBe(200);
  });

  it('reads instance variables and refuses to write them', async () => {
    await variables.setValue(t.db, { namespace: 'vars', scope: 'instance', owner: instanceId, key: 'result' }, Buffer.from('[1,2]'), 'application/json');
    const base = `/api/instances/${instanceId}/variables`;
    const list = await t.app.inject({ method: 'GET', url: base });
    expect(list.json()).toMatchObject({ total: 1, items: [{ name: 'result', size: 5, mimeType: 'application/json' }] });
    const get = await t.app.inject({ method: 'GET', url: `${base}/result` });
    expect(get.json()).toEqual([1, 2]);
    expect(get.headers['content-type']).toBe('application/json');
    expect((await t.app.inject({ method: 'PUT', url: `${base}/result`, payload: 'x' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `${base}/result` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/instances/vars/holder/nope/variables' })).statusCode).toBe(404);
  });

  it('refuses bad keys (400) and missing namespaces (404)', async () => {
    const long = await t.app.inject({ method: 'PUT', url: nsVar('k'.repeat(129)), payload: 'x' });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ message: string }>().message).toContain('invalid variable key');
    expect((await t.app.inject({ method: 'GET', url: nsVar('bad%20key') })).statusCode).toBe(400);
    const huge = await t.app.inject({ method: 'GET', url: nsVar('k'.repeat(600)) });
    expect(huge.statusCode).toBe(414);
    expect(huge.json()).toMatchObject({ code: 414, details: [] });
    expect((await t.app.inject({ method: 'PUT', url: '/api/namespaces/nowhere/variables/k', payload: 'x' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/namespaces/nowhere/variables' })).statusCode).toBe(404);
  });

  it('stores an empty body as an empty value', async () => {
    const put = await t.app.inject({ method: 'PUT', url: nsVar('empty') });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ size: 0, mimeType: 'application/octet-stream' });
    const get = await t.app.inject({ method: 'GET', url: nsVar('empty') });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('');
  });
});
