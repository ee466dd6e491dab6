/**
 * The function protocol on real Podman, through the action runner with a flow side that
 * records: a fresh container per isolated call with the size's limits, every ending of a call
 * mapped to its result (output, the function's error, non-200 status, crash, out of memory,
 * deadline), the process cap, cancellation, the container always removed, the network (the
 * callbacks and, unless switched off, the outside), and the calls a restarted service finds in
 * its journal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRunner, buildNodeImage } from '../../src/actions/index.js';
import type { ActionRequest, CallResult, FlowLink, RunnerOptions } from '../../src/actions/index.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';

// A function written against the bare protocol (no SDK), so each way of answering can be chosen.
const FUNCTION = `import http from 'node:http';
import { spawn } from 'node:child_process';
let cancellable;
http.createServer((req, res) => {
  if (req.method === 'DELETE') { cancellable?.(); return res.end(); }
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', async () => {
    const input = JSON.parse(body || 'null');
    switch (input.op) {
      case 'echo': return res.end(JSON.stringify({ input, aid: req.headers['direktiv-actionid'], deadline: req.headers['direktiv-deadline'], tempDir: req.headers['direktiv-tempdir'] }));
      case 'text': res.setHeader('content-type', 'text/plain'); return res.end('not json');
      case 'error': res.writeHead(500, { 'Direktiv-ErrorCode': 'fn.bad', 'Direktiv-ErrorMessage': 'bad%20input' }); return res.end();
      case 'status': res.writeHead(503); return res.end('busy right now');
      case 'exit': return process.exit(3);
      case 'sleep': return;
      case 'fetch': {
        const reach = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(8000) }).then((r) => r.status, () => 'unreachable');
        const aid = req.headers['direktiv-actionid'];
        return res.end(JSON.stringify({
          callbacks: await reach(process.env.DIREKTIV_API + '/log?aid=' + aid, { method: 'POST', body: 'hello' }),
          outside: await reach(input.url),
        }));
      }
      case 'cancellable': cancellable = () => { res.writeHead(500, { 'Direktiv-ErrorCode': 'fn.cancelled' }); res.end(); }; return;
      case 'oom': {
        // A failed allocation would throw (and exit 1) instead of the kernel killing the process: keep asking, smaller.
        const keep = [];
        for (let size = 32 * 1024 * 1024; ; ) {
          try { keep.push(Buffer.alloc(size, 1)); } catch { size = Math.max(64 * 1024, size >> 1); }
          await new Promise((r) => setTimeout(r, 1));
        }
      }
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

describe('the function protocol on Podman', () => {
  let podman: PodmanService;
  let dir: string;
  let work: string;
  let runner: ActionRunner;
  const IMAGE = 'localhost/direktiv-test/protocol:v1';
  let n = 0;

  /** The flow side: each report resolves its call's promise. */
  const waiting = new Map<string, (r: CallResult) => void>();
  const reported: string[] = [];
  const link: FlowLink = {
    report(req, result) {
      reported.push(req.actionId);
      waiting.get(req.actionId)?.(result);
      return Promise.resolve();
    },
    log: () => Promise.resolve(),
    getVariable: () => Promise.resolve(null),
    setVariable: () => Promise.resolve(),
    registryAuth: () => Promise.resolve(undefined),
  };
  type Extra = Partial<ActionRequest> & { image?: string };
  const request = (input: unknown, extra: Extra = {}): ActionRequest => ({
    actionId: `act-${++n}-${Date.now()}`,
    instanceId: 'ns/wf/inst',
    namespace: 'ns',
    workflow: 'wf',
    step: 1,
    branch: 0,
    fn: { id: 'f', type: 'isolated', image: extra.image ?? IMAGE, size: 'small', files: [] },
    input: input as ActionRequest['input'],
    files: [],
    deadline: new Date(Date.now() + 20_000),
    async: false,
    ...extra,
  });
  const resultOf = (req: ActionRequest) => new Promise<CallResult>((resolve) => waiting.set(req.actionId, resolve));
  const call = async (input: unknown, extra: Extra = {}): Promise<CallResult> => {
    const req = request(input, extra);
    const result = resultOf(req);
    await runner.dispatch(req);
    const r = await result;
    // The container is removed after the report.
    await runner.settled();
    return r;
  };
  /** Containers of a call of this file's runners (other test files share Podman's store). */
  const leftovers = async () =>
    (await podman.docker.listContainers({ all: true, filters: { label: ['direktiv.action'] } })).filter((c) =>
      nodes.has(c.Labels['direktiv.node'] ?? ''),
    ).length;
  const nodes = new Set<string>();
  const untilRunning = async () => {
    for (let i = 0; i < 400 && (await leftovers()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
  };
  const newRunner = async (workDir: string, graceMs = 10_000, flow: FlowLink = link, extra: Partial<RunnerOptions> = {}) => {
    const r = new ActionRunner({ docker: podman.docker, link: flow, logger: pino({ level: 'silent' }), workDir, graceMs, ...extra });
    await r.start();
    nodes.add(r.node);
    return r;
  };

  beforeAll(async () => {
    podman = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'direktiv-fn-'));
    work = mkdtempSync(join(tmpdir(), 'direktiv-actions-'));
    writeFileSync(join(dir, 'index.mjs'), FUNCTION);
    await buildNodeImage(podman.docker, { tag: IMAGE, sourceDir: dir });
    runner = await newRunner(work, 1_000);
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    await podman?.stop();
  });

  it('a 200 with JSON is the output; the call carries its action id, deadline and temp dir', async () => {
    const deadline = new Date(Date.now() + 20_000);
    const r = await call({ op: 'echo', x: 1 }, { deadline, actionId: 'act-echo' });
    expect(r).toEqual({
      out: { input: { op: 'echo', x: 1 }, aid: 'act-echo', deadline: deadline.toISOString(), tempDir: '/direktiv-data/act-echo' },
    });
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
    expect((oom as { err: { msg: string } }).err.msg).toMatch(/out of memory|exited with code 137$/);
    const slow = await call({ op: 'sleep' }, { deadline: new Date(Date.now() + 3_000) });
    expect(slow).toMatchObject({ err: { code: 'direktiv.cancels.timeout' } });
    expect(await leftovers()).toBe(0);
  }, 90_000);

  it('the size caps processes; an image that does not exist is direktiv.function.image, naming it', async () => {
    const r = (await call({ op: 'pids' })) as { out: { started: number; failed: number } };
    expect(r.out.failed).toBeGreaterThan(0);
    expect(r.out.started).toBeLessThan(128);
    const missing = await call({ op: 'echo' }, { image: 'localhost/direktiv-test/missing:v0' });
    expect(missing).toMatchObject({ err: { code: 'direktiv.function.image' } });
    expect((missing as { err: { msg: string } }).err.msg).toContain('localhost/direktiv-test/missing:v0');
  }, 60_000);

  it('a cancelled call gets DELETE /; one that ignores it is dropped after the grace period; neither is reported', async () => {
    const before = reported.length;
    for (const op of ['cancellable', 'sleep']) {
      const req = request({ op });
      await runner.dispatch(req);
      await untilRunning();
      // Give the function time to take the call before it is cancelled.
      await new Promise((r) => setTimeout(r, 1500));
      await runner.cancel(req.actionId);
      expect(await leftovers()).toBe(0);
    }
    expect(runner.active).toBe(0);
    expect(reported.length).toBe(before);
  }, 60_000);

  it('a container reaches the callbacks and the outside; with Outbound off only the callbacks', async () => {
    // The npm registry is the one outside host this machine reaches (npm ci needs it).
    const outside = 'http://registry.npmjs.org/';
    const open = (await call({ op: 'fetch', url: outside })) as { out: { callbacks: unknown; outside: unknown } };
    expect(open.out.callbacks).toBe(200);
    expect(typeof open.out.outside).toBe('number');

    const workDir = mkdtempSync(join(tmpdir(), 'direktiv-actions-'));
    const closed = await newRunner(workDir, 1_000, link, { outbound: false });
    const req = request({ op: 'fetch', url: outside });
    const result = resultOf(req);
    await closed.dispatch(req);
    expect(await result).toEqual({ out: { callbacks: 200, outside: 'unreachable' } });
    await closed.stop();
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('a result the flow side cannot take yet (a flow node restarting) is reported again until it is, once', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'direktiv-actions-'));
    let refusals = 2;
    const reports: CallResult[] = [];
    const flaky: FlowLink = {
      ...link,
      report(req, result) {
        if (refusals-- > 0) return Promise.reject(new Error('connect ECONNREFUSED'));
        reports.push(result);
        return link.report(req, result);
      },
    };
    const r = await newRunner(workDir, 1_000, flaky);
    const req = request({ op: 'echo' });
    const result = resultOf(req);
    await r.dispatch(req);
    expect(await result).toMatchObject({ out: { input: { op: 'echo' } } });
    await r.stop();
    expect(reports).toHaveLength(1);
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('a restarted service removes what its previous run left and reports the calls it lost as catchable errors', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'direktiv-actions-'));
    // The first process is as good as dead: its reports never arrive (until the end of the test).
    let revive = () => {};
    const dead = new Promise<void>((r) => (revive = r));
    const first = await newRunner(workDir, 10_000, { ...link, report: () => dead });
    const req = request({ op: 'sleep' });
    const lost = resultOf(req);
    await first.dispatch(req);
    await untilRunning();
    // A second process on the same directory: the first one's container and call are orphans.
    const second = await newRunner(workDir);
    const result = await lost;
    await second.settled();
    expect(result).toEqual({
      err: { code: 'direktiv.function.crash', msg: 'the action service restarted while the function ran; the call was lost' },
    });
    expect(await leftovers()).toBe(0);
    revive();
    await Promise.all([first.stop(), second.stop()]);
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);
});
