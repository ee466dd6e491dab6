/**
 * The protocol call against a stand-in for the container (a local HTTP server, and an engine
 * whose inspect can fail): what the call does when the engine is busy rather than the
 * function gone. Runs without Podman; the real engine is in protocol.test.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../../src/actions/container.js';

describe('a protocol call while the container engine is busy', () => {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    // The first connection breaks off (a forwarder whose function is not there yet); then an answer.
    if (requests === 1) return req.socket.destroy();
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  beforeAll(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a failed inspect is not taken for a gone container: the call is tried again and answered', async () => {
    let inspections = 0;
    const container = {
      inspect: () => {
        inspections++;
        return inspections === 1 ? Promise.reject(Object.assign(new Error('database is locked'), { statusCode: 500 })) : Promise.resolve({ State: { Running: true } });
      },
    } as unknown as Dockerode.Container;
    const result = await post(
      { container, port: (server.address() as AddressInfo).port },
      { actionId: 'a1', deadline: new Date(Date.now() + 10_000), input: {}, tempDir: '/direktiv-data/a1' },
    );
    expect(result).toEqual({ out: { ok: true } });
    expect(requests).toBe(2);
  });
});
