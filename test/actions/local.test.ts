/**
 * Workflows whose actions run as containers on real Podman, through the engine and the
 * in-process action service: the output lands in `.return`, a function's error code is caught
 * by the state's `catch`, a cancelled instance's call has its container removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalActionService } from '../../src/actions/local.js';
import { buildNodeImage } from '../../src/actions/node-image.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';

const GREETER = `import { serve, FunctionError } from './sdk/index.mjs';
serve(async (input) => {
  if (input.wait) await new Promise((r) => setTimeout(r, input.wait));
  if (!input.name) throw new FunctionError('greeter.noName', 'no name given');
  return { greeting: 'Hello ' + input.name + '!' };
});
`;

describe('actions as containers through the engine (PostgreSQL, Podman)', () => {
  let podman: PodmanService;
  let dir: string;
  let e: TestEngine;
  let actions: LocalActionService;
  const IMAGE = 'localhost/direktiv-test/greeter:v1';
  const NS = 'functions';

  beforeAll(async () => {
    podman = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'direktiv-fn-'));
    writeFileSync(join(dir, 'index.mjs'), GREETER);
    await buildNodeImage(podman.docker, { tag: IMAGE, sourceDir: dir });
    actions = new LocalActionService(podman.docker, () => e.engine, pino({ level: 'silent' }));
    e = await startTestEngine('postgres', {}, { actions });
    await e.deploy(NS, `id: greet
functions:
- id: greeter
  image: ${IMAGE}
  type: isolated
states:
- id: call
  type: action
  action:
    function: greeter
    input: jq(.)
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
  }, 90_000);
  afterAll(async () => {
    await e?.stop();
    await actions?.drain();
    rmSync(dir, { recursive: true, force: true });
    await podman?.stop();
  });

  it('the output lands in .return', async () => {
    const done = await e.run(NS, 'greet', { name: 'Ada' }, 60_000);
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ said: 'Hello Ada!' });
  }, 60_000);

  it("a function's error code goes through the state's catch", async () => {
    const done = await e.run(NS, 'greet', {}, 60_000);
    expect(done.output).toEqual({ caught: { code: 'greeter.noName', msg: 'no name given' } });
    expect(done.flow).toEqual(['call', 'nameless']);
  }, 60_000);

  it("cancelling the instance removes its call's container", async () => {
    const { instanceId } = await e.engine.execute({ namespace: NS, workflow: 'greet', input: Buffer.from('{"name":"Bo","wait":60000}'), invokedBy: { kind: 'api' } });
    const running = async () => (await podman.docker.listContainers({ all: true, filters: { label: ['direktiv.action'] } })).length;
    for (let i = 0; i < 200 && (await running()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await running()).toBe(1);
    expect(await e.engine.cancel(instanceId)).toBe(true);
    for (let i = 0; i < 200 && (await running()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await running()).toBe(0);
    expect((await e.engine.getInstance(instanceId))!.status).toBe('cancelled');
  }, 60_000);
});
