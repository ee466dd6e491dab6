/**
 * The streaming routes over a real socket (inject does not exercise chunked uploads, a 413 in the
 * middle of an upload, or a client that goes away from an SSE stream).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/index.js';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, MiB, yaml } from './setup.js';
import type { TestApp } from './setup.js';

/** A chunked PUT (no Content-Length) of `parts`, written one by one; resolves with status and body. */
function chunkedPut(base: string, path: string, parts: Buffer[], type: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'PUT', headers: { 'content-type': type, 'transfer-encoding': 'chunked' } }, (res) => {
      const got: Buffer[] = [];
      res.on('data', (c: Buffer) => got.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(got).toString() }));
    });
    req.on('error', reject);
    let i = 0;
    const next = () => {
      while (i < parts.length) {
        if (!req.write(parts[i++])) return void req.once('drain', next);
      }
      req.end();
    };
    next();
  });
}

describe.each(BACKENDS)('streaming over HTTP on %s', (backend) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp(backend, { maxVariableBytes: 4 * MiB });
    await startServer(t.app, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await t.app.inject({ method: 'PUT', url: '/api/namespaces/http' });
    await t.app.inject({
      method: 'POST',
      url: '/api/namespaces/http/workflows',
      headers: { 'content-type': 'application/yaml' },
      payload: yaml('flow'),
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('uploads a chunked body and downloads it byte-exact', async () => {
    const data = randomBytes(3 * MiB + 17);
    const parts = Array.from({ length: Math.ceil(data.length / 65_537) }, (_, i) => data.subarray(i * 65_537, (i + 1) * 65_537));
    const put = await chunkedPut(base, '/api/namespaces/http/variables/blob', parts, 'application/x-test');
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({ size: data.length, mimeType: 'application/x-test' });
    const res = await fetch(`${base}/api/namespaces/http/variables/blob`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-test');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });

  it('answers 413 in the middle of a chunked upload and stores nothing', async () => {
    const parts = Array.from({ length: 12 }, () => Buffer.alloc(MiB / 2, 1));
    const put = await chunkedPut(base, '/api/namespaces/http/variables/huge', parts, 'application/octet-stream').catch(
      (err: unknown) => ({ status: -1, body: String(err) }),
    );
    expect(put.status).toBe(413);
    expect(JSON.parse(put.body)).toMatchObject({ code: 413 });
    expect((await fetch(`${base}/api/namespaces/http/variables/huge`)).status).toBe(404);
  });

  it('stops following when the client goes away', async () => {
    const run = await fetch(`${base}/api/namespaces/http/workflows/flow/execute`, { method: 'POST' });
    const { instanceId } = (await run.json()) as { instanceId: string };
    await t.engine.log(instanceId, 'hello');
    const abort = new AbortController();
    const res = await fetch(`${base}/api/instances/${instanceId}/logs`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"msg":"hello"');
    const listeners = async () => (await t.db.query<{ n: number }>('SELECT 1 AS n')).rows.length;
    abort.abort();
    await reader.cancel().catch(() => undefined);
    // The server notices, stops the follower and closes cleanly (afterAll's close would hang otherwise).
    await new Promise((r) => setTimeout(r, 200));
    expect(await listeners()).toBe(1);
  });
});
