/**
 * Workflows whose actions run as containers on real Podman, through the engine and the
 * in-process action service (as `direktiv -t wi` wires them): `.return`, a function's code
 * caught, cancellation; warm `reusable` containers reused, capped, queued and stopped when idle;
 * the DIREKTIV_API callbacks for logs and variables; stdout/stderr of isolated functions in the
 * instance log; `files:` in the call's directory and `out/` stored as variables.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNodeImage } from '../../src/actions/index.js';
import { startTestActions } from '../helpers/actions.js';
import type { TestActions } from '../helpers/actions.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';

const FUNCTION = `import { serve, FunctionError } from './sdk/index.mjs';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
serve(async (input, ctx) => {
  switch (input.op) {
    case 'greet':
      if (input.wait) await new Promise((r) => setTimeout(r, input.wait));
      if (!input.name) throw new FunctionError('greeter.noName', 'no name given');
      return { greeting: 'Hello ' + input.name + '!' };
    case 'who':
      if (input.wait) await new Promise((r) => setTimeout(r, input.wait));
      return { host: hostname(), pid: process.pid };
    case 'talk':
      console.log('to stdout');
      console.error('to stderr');
      await ctx.log('through the log callback');
      return {};
    case 'count': {
      const raw = await ctx.getVariable('workflow', 'count').catch(() => null);
      const n = (raw && raw.length ? Number(raw.toString()) : 0) + 1;
      await ctx.setVariable('workflow', 'count', String(n));
      return { n };
    }
    case 'files': {
      const given = readFileSync(ctx.tempDir + '/greeting.txt', 'utf8');
      writeFileSync(ctx.tempDir + '/out/workflow/shout', given.toUpperCase());
      mkdirSync(ctx.tempDir + '/out/instance/folder');
      writeFileSync(ctx.tempDir + '/out/instance/folder/a.txt', 'A');
      return { given, tarred: existsSync(ctx.tempDir + '/archive/inner.txt') ? readFileSync(ctx.tempDir + '/archive/inner.txt', 'utf8') : null };
    }
  }
});
`;

describe('actions as containers through the engine (PostgreSQL, Podman)', () => {
  let podman: PodmanService;
  let dir: string;
  let e: TestEngine;
  let actions: TestActions;
  const IMAGE = 'localhost/direktiv-test/greeter:v1';
  const NS = 'functions';
  const IDLE_MS = 3000;

  const fn = (type: 'isolated' | 'reusable') => `functions:
- id: f
  image: ${IMAGE}
  type: ${type}
`;

  beforeAll(async () => {
    podman = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'direktiv-fn-'));
    writeFileSync(join(dir, 'index.mjs'), FUNCTION);
    await buildNodeImage(podman.docker, { tag: IMAGE, sourceDir: dir });
    actions = await startTestActions(podman.docker, () => e.engine, { maxScale: 2, idleMs: IDLE_MS, graceMs: 1000 });
    e = await startTestEngine('postgres', {}, { actions: actions.runner });
    await e.deploy(NS, `id: greet
${fn('isolated')}states:
- id: call
  type: action
  action:
    function: f
    input: 'jq(. + {op: "greet"})'
  transform:
    said: jq(.return.greeting)
  catch:
  - error: greeter.*
    transition: nameless
- id: nameless
  type: noop
  transform:
    caught: jq(.error)
`);
    await e.deploy(NS, `id: who
${fn('reusable')}states:
- id: call
  type: action
  action:
    function: f
    input: 'jq(. + {op: "who"})'
`);
    await e.deploy(NS, `id: talk
${fn('isolated')}states:
- id: call
  type: action
  action:
    function: f
    input: {op: talk}
`);
    await e.deploy(NS, `id: count
${fn('reusable')}states:
- id: call
  type: action
  action:
    function: f
    input: {op: count}
`);
    await e.deploy(NS, `id: files
functions:
- id: f
  image: ${IMAGE}
  type: reusable
  files:
  - key: greeting.txt
    scope: instance
states:
- id: set
  type: setter
  variables:
  - key: greeting.txt
    scope: instance
    value: hello files
  transition: call
- id: call
  type: action
  action:
    function: f
    input: {op: files}
    files:
    - key: archive
      scope: namespace
      type: tar.gz
  transition: get
- id: get
  type: getter
  variables:
  - key: shout
    scope: workflow
  - key: folder
    scope: instance
`);
  }, 120_000);
  afterAll(async () => {
    await e?.stop();
    await actions?.stop();
    rmSync(dir, { recursive: true, force: true });
    await podman?.stop();
  });

  /** This file's containers with `label` (other test files share Podman's store). */
  const containers = async (label: string) =>
    (await podman.docker.listContainers({ all: true, filters: { label: [label, `direktiv.node=${actions.runner.node}`] } })).length;
  const until = async (cond: () => Promise<boolean>, ms = 20_000) => {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition not reached');
  };

  it('the output lands in .return; a function’s error code goes through the state’s catch', async () => {
    const done = await e.run(NS, 'greet', { name: 'Ada' }, 60_000);
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ said: 'Hello Ada!' });
    const caught = await e.run(NS, 'greet', {}, 60_000);
    expect(caught.output).toEqual({ caught: { code: 'greeter.noName', msg: 'no name given' } });
    expect(caught.flow).toEqual(['call', 'nameless']);
  }, 60_000);

  it("cancelling the instance removes its call's container", async () => {
    const { instanceId } = await e.engine.execute({
      namespace: NS,
      workflow: 'greet',
      input: Buffer.from('{"name":"Bo","wait":60000}'),
      invokedBy: { kind: 'api' },
    });
    await until(async () => (await containers('direktiv.action')) === 1);
    expect(await e.engine.cancel(instanceId)).toBe(true);
    await until(async () => (await containers('direktiv.action')) === 0);
    expect((await e.engine.getInstance(instanceId))!.status).toBe('cancelled');
  }, 60_000);

  it('a reusable function keeps its container across instances; concurrent calls use at most MaxScale containers; idle ones stop', async () => {
    const a = await e.run(NS, 'who', {}, 60_000);
    const b = await e.run(NS, 'who', {}, 60_000);
    expect((b.output as { return: unknown }).return).toEqual((a.output as { return: unknown }).return);
    expect(await containers('direktiv.function')).toBe(1);

    // Five calls of 1.5 s at once with MaxScale 2: two containers, the rest queue.
    const many = await Promise.all(Array.from({ length: 5 }, () => e.run(NS, 'who', { wait: 1500 }, 60_000)));
    expect(many.every((i) => i.status === 'complete')).toBe(true);
    const hosts = new Set(many.map((i) => (i.output as { return: { host: string } }).return.host));
    expect(hosts.size).toBe(2);
    expect(await containers('direktiv.function')).toBe(2);

    await until(async () => (await containers('direktiv.function')) === 0, IDLE_MS + 20_000);
  }, 120_000);

  it("an isolated function's stdout and stderr and its log callbacks reach the instance log", async () => {
    const done = await e.run(NS, 'talk', {}, 60_000);
    expect(done.status).toBe('complete');
    const lines = await e.logLines(done.id);
    expect(lines).toEqual(expect.arrayContaining(['through the log callback', 'to stdout', 'to stderr']));
  }, 60_000);

  it('variables through the callbacks; a callback without a running action id is refused', async () => {
    expect((await e.run(NS, 'count', {}, 60_000)).output).toMatchObject({ return: { n: 1 } });
    expect((await e.run(NS, 'count', {}, 60_000)).output).toMatchObject({ return: { n: 2 } });
    const url = actions.runner.callbacksUrl;
    for (const path of ['/var?aid=nope&scope=workflow&key=count', '/log?aid=nope']) {
      const res = await fetch(url + path, { method: path.startsWith('/log') ? 'POST' : 'GET', body: path.startsWith('/log') ? 'x' : null });
      expect(res.status).toBe(403);
    }
  }, 60_000);

  it('files: are placed in the call’s directory; out/ files and directories become variables', async () => {
    // A tar.gz namespace variable unpacked as a directory.
    const { c } = await import('tar');
    const src = mkdtempSync(join(tmpdir(), 'direktiv-tar-'));
    writeFileSync(join(src, 'inner.txt'), 'from the archive');
    const chunks: Buffer[] = [];
    for await (const chunk of c({ gzip: true, cwd: src }, ['inner.txt'])) chunks.push(chunk as Buffer);
    rmSync(src, { recursive: true, force: true });
    const { setValue } = await import('../../src/variables/index.js');
    await e.t.db.tx((q) => setValue(q, { namespace: NS, scope: 'namespace', owner: '', key: 'archive' }, Buffer.concat(chunks), 'application/gzip'));

    const done = await e.run(NS, 'files', {}, 60_000);
    expect(done.status).toBe('complete');
    const out = done.output as { return: { given: string; tarred: string }; var: { shout: string; folder: string } };
    // The setter stored JSON, so the file holds the JSON text.
    expect(out.return).toEqual({ given: '"hello files"', tarred: 'from the archive' });
    expect(out.var.shout).toBe('HELLO FILES');
    expect(typeof out.var.folder).toBe('string');
    expect(Buffer.from(out.var.folder, 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  }, 60_000);
});
