/**
 * The streaming routes over a real socket (inject does not exercise chunked uploads, a 413 in the
 * middle of an upload, or a client that goes away from an SSE stream).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/index.js';
import { BACKENDS } from '../helpers/db.js';
import { createTestApp, MiB, yaml } from './setup.js';
import type { TestApp } from './setup.js';

/** A chunked PUT (no Content-Length) of `parts`, written one by one; resolves with status and body. */
function chunkedPut(base: string, path: string, parts: Buffer[], type: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method: 'PUT', agent: false, headers: { 'content-type': type, 'transfer-encoding': 'chunked' } },
      (res) => {
      const got: Buffer[] = [];
      res.on('data', (c: Buffer) => got.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(got).toString() }));
      },
    );
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

/** A request on its own connection (no keep-alive pool that could hold the server open). */
function call(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of res) parts.push(p as Buffer);
  return Buffer.concat(parts);
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
    const res = await call(`${base}/api/namespaces/http/variables/blob`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-test');
    expect((await readAll(res)).equals(data)).toBe(true);
  });

  it('answers 413 in the middle of a chunked upload and stores nothing', async () => {
    const parts = Array.from({ length: 12 }, () => Buffer.alloc(MiB / 2, 1));
    const put = await chunkedPut(base, '/api/namespaces/http/variables/huge', parts, 'application/octet-stream').catch(
      (err: unknown) => ({ status: -1, body: String(err) }),
    );
    expect(put.status).toBe(413);
    expect(JSON.parse(put.body)).toMatchObject({ code: 413 });
    const get = await call(`${base}/api/namespaces/http/variables/huge`);
    await readAll(get);
    expect(get.statusCode).toBe(404);
  });

  it('stops following when the client goes away', async () => {
    const run = await call(`${base}/api/namespaces/http/workflows/flow/execute`, { method: 'POST' });
    const { instanceId } = JSON.parse((await readAll(run)).toString()) as { instanceId: string };
    await t.engine.log(instanceId, 'hello');
    const res = await call(`${base}/api/instances/${instanceId}/logs`, { headers: { accept: 'text/event-stream' } });
    expect(res.headers['content-type']).toContain('text/event-stream');
    const first = await new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(c.toString())));
    expect(first).toContain('"msg":"hello"');
    const closed = new Promise((resolve) => res.socket.once('close', resolve));
    res.destroy();
    await closed;
    // The server notices and stops following: the app then closes at once (afterAll), instead of
    // waiting for an instance that never ends.
  });
});
