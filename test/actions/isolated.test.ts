/**
 * Isolated function calls on real Podman: a fresh container per call with the size's limits,
 * every ending of a call mapped to its result (output, the function's error, non-200 status,
 * crash, out of memory, deadline), the process cap, and the container always removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callIsolated } from '../../src/actions/isolated.js';
import type { IsolatedCall } from '../../src/actions/isolated.js';
import { buildNodeImage } from '../../src/actions/node-image.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';

// A function written against the bare protocol (no SDK), so each way of answering can be chosen.
const FUNCTION = `import http from 'node:http';
import { spawn } from 'node:child_process';
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', async () => {
    const input = JSON.parse(body || 'null');
    switch (input.op) {
      case 'echo': return res.end(JSON.stringify({ input, aid: req.headers['direktiv-actionid'], deadline: req.headers['direktiv-deadline'] }));
      case 'text': res.setHeader('content-type', 'text/plain'); return res.end('not json');
      case 'error': res.writeHead(500, { 'Direktiv-ErrorCode': 'fn.bad', 'Direktiv-ErrorMessage': 'bad%20input' }); return res.end();
      case 'status': res.writeHead(503); return res.end('busy right now');
      case 'exit': return process.exit(3);
      case 'sleep': return;
      case 'oom': { const keep = []; for (;;) { keep.push(Buffer.alloc(32 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 1)); } }
      case 'pids': {
        let started = 0, failed = 0;
        const kids = [];
        for (let i = 0; i < 300; i++) {
          await new Promise((r) => {
            const k = spawn('/bin/sh', ['-c', 'sleep 5']);
            k.once('spawn', () => { started++; kids.push(k); r(); });
            k.once('error', () => { failed++; r(); });
          });
        }
        for (const k of kids) k.kill('SIGKILL');
        return res.end(JSON.stringify({ started, failed }));
      }
    }
  });
}).listen(8080);
process.on('SIGTERM', () => process.exit(0));
`;

describe('isolated calls on Podman', () => {
  let podman: PodmanService;
  let dir: string;
  const IMAGE = 'localhost/direktiv-test/protocol:v1';
  let n = 0;
  const call = (input: unknown, extra: Partial<IsolatedCall> = {}) =>
    callIsolated(podman.docker, {
      actionId: `act-${++n}`,
      image: IMAGE,
      size: 'small',
      input: input as IsolatedCall['input'],
      deadline: new Date(Date.now() + 20_000),
      ...extra,
    });
  const leftovers = async () => (await podman.docker.listContainers({ all: true, filters: { label: ['direktiv.action'] } })).length;

  beforeAll(async () => {
    podman = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'direktiv-fn-'));
    writeFileSync(join(dir, 'index.mjs'), FUNCTION);
    await buildNodeImage(podman.docker, { tag: IMAGE, sourceDir: dir });
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await podman?.stop();
  });

  it('a 200 with JSON is the output; the call carries its action id and deadline', async () => {
    const deadline = new Date(Date.now() + 20_000);
    const r = await call({ op: 'echo', x: 1 }, { deadline, actionId: 'act-echo' });
    expect(r).toEqual({ out: { input: { op: 'echo', x: 1 }, aid: 'act-echo', deadline: deadline.toISOString() } });
    expect(await leftovers()).toBe(0);
  }, 60_000);

  it('a body that is not JSON is kept as base64; error headers are the function’s error; another status is direktiv.function.status', async () => {
    expect(await call({ op: 'text' })).toEqual({ out: Buffer.from('not json').toString('base64') });
    expect(await call({ op: 'error' })).toEqual({ err: { code: 'fn.bad', msg: 'bad input' } });
    expect(await call({ op: 'status' })).toEqual({ err: { code: 'direktiv.function.status', msg: 'the function answered 503: busy right now' } });
  }, 60_000);

  it('a function that dies, runs out of memory or misses its deadline: crash, crash, timeout; nothing is left behind', async () => {
    expect(await call({ op: 'exit' })).toEqual({ err: { code: 'direktiv.function.crash', msg: 'the function exited with code 3' } });
    const oom = await call({ op: 'oom' });
    expect(oom).toMatchObject({ err: { code: 'direktiv.function.crash' } });
    expect((oom as { err: { msg: string } }).err.msg).toMatch(/out of memory|exited with code 137/);
    const slow = await call({ op: 'sleep' }, { deadline: new Date(Date.now() + 2_000) });
    expect(slow).toMatchObject({ err: { code: 'direktiv.cancels.timeout' } });
    expect(await leftovers()).toBe(0);
  }, 90_000);

  it('the size caps processes; an image that does not exist is direktiv.function.image', async () => {
    const r = (await call({ op: 'pids' })) as { out: { started: number; failed: number } };
    expect(r.out.failed).toBeGreaterThan(0);
    expect(r.out.started).toBeLessThan(128);
    expect(await call({ op: 'echo' }, { image: 'localhost/direktiv-test/missing:v0' })).toMatchObject({ err: { code: 'direktiv.function.image' } });
  }, 60_000);
});
