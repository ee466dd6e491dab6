/**
 * Image pulls with registry logins, on real Podman and two real private registries
 * (docker-registry with htpasswd, plain HTTP) that each know a different user. The logins come
 * the way an in-process flow node gives them: the namespace's registry secrets (Secrets, kind
 * "registry", named by host) or `[flowAPI.Registry]`, through the flow side's `registryAuth`
 * (src/server/adapters.ts flowLink). A pull uses the login of the image's own host; a refused
 * login or a missing image is the catchable direktiv.function.image, naming the image and why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActionRunner, buildNodeImage } from '../../src/actions/index.js';
import type { ActionRequest, CallResult, FlowLink, RegistryAuth } from '../../src/actions/index.js';
import { create as createNamespace } from '../../src/namespaces/index.js';
import { Secrets, generateMasterKey, localBackend } from '../../src/secrets/index.js';
import { flowLink } from '../../src/server/adapters.js';
import { createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';
import { startRegistry } from '../helpers/registry.js';
import type { Registry } from '../helpers/registry.js';
import { createSecretsTestDb } from '../secrets/helpers.js';

const FUNCTION = `import http from 'node:http';
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => res.end(JSON.stringify({ hello: JSON.parse(body || 'null')?.name ?? null })));
}).listen(8080);
process.on('SIGTERM', () => process.exit(0));
`;

const ALICE = { user: 'alice', password: 'alice-pw-4f1c9e' };
const BOB = { user: 'bob', password: 'bob-pw-8a27d3' };
const WRONG_PASSWORD = 'not-alices-pw-77e0b1';

describe('image pulls with per-registry logins, on Podman and two private registries', () => {
  let regA: Registry;
  let regB: Registry;
  let podman: PodmanService;
  let main: TestDb;
  let sec: TestDb;
  let runner: ActionRunner;
  let dir: string;
  let work: string;
  let nodeId: string;
  const LOCAL = 'localhost/direktiv-test/registry-fn:v1';
  /** the same function image, pushed to A (alice's) and to B (bob's) */
  const imageA = () => `${regA.host}/direktiv-test/hello:v1`;
  const imageB = () => `${regB.host}/direktiv-test/hello:v1`;
  const missing = () => `${regA.host}/direktiv-test/nowhere:v1`;

  /** Every login the flow side handed out, with the image it was asked for. */
  const asked: Array<{ image: string; auth: RegistryAuth | undefined }> = [];
  const waiting = new Map<string, (r: CallResult) => void>();
  let n = 0;

  const call = async (namespace: string, image: string): Promise<CallResult> => {
    const req: ActionRequest = {
      actionId: `act-${++n}-${Date.now()}`,
      instanceId: `${namespace}/wf/inst`,
      namespace,
      workflow: 'wf',
      step: 1,
      branch: 0,
      fn: { id: 'f', type: 'isolated', image, size: 'small', files: [] },
      input: { name: namespace },
      files: [],
      deadline: new Date(Date.now() + 60_000),
      async: false,
    };
    const result = new Promise<CallResult>((resolve) => waiting.set(req.actionId, resolve));
    await runner.dispatch(req);
    const r = await result;
    // The container is removed after the report.
    await runner.settled();
    return r;
  };
  /** Removes images from the local store, so that the next call of them pulls (and asks for a login). */
  const forget = async (...images: string[]) => {
    for (const image of images) {
      await podman.docker
        .getImage(image)
        .remove()
        .catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 404) throw e;
        });
    }
  };
  const present = (image: string) =>
    podman.docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  /** This runner's containers only (other test files share Podman's store). */
  const leftovers = async () => (await podman.docker.listContainers({ all: true, filters: { label: [`direktiv.node=${nodeId}`] } })).length;
  /** What a registry answers a login with, asked directly. */
  const answers = async (reg: Registry, who: { user: string; password: string }) =>
    (await fetch(`http://${reg.host}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}` } }))
      .status;

  const push = async (image: string, reg: Registry, who: { user: string; password: string }) => {
    const stream = await podman.docker.getImage(image).push({ authconfig: { serveraddress: reg.host, username: who.user, password: who.password } });
    // The engine answers 200 at once; a failed push shows only as an error event in the stream.
    const events = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
      podman.docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => (err ? reject(err) : resolve(out))),
    );
    const failed = events.find((e) => e.error);
    if (failed) throw new Error(`pushing ${image} failed: ${failed.error}`);
  };
  const tagAs = async (image: string) => {
    const colon = image.lastIndexOf(':');
    await podman.docker.getImage(LOCAL).tag({ repo: image.slice(0, colon), tag: image.slice(colon + 1) });
  };

  beforeAll(async () => {
    [regA, regB] = await Promise.all([
      startRegistry({ users: { [ALICE.user]: ALICE.password } }),
      startRegistry({ users: { [BOB.user]: BOB.password } }),
    ]);
    podman = await startPodman({ insecureRegistries: [regA.host, regB.host] });

    dir = mkdtempSync(join(tmpdir(), 'direktiv-fn-'));
    writeFileSync(join(dir, 'index.mjs'), FUNCTION);
    await buildNodeImage(podman.docker, { tag: LOCAL, sourceDir: dir });
    await tagAs(imageA());
    await tagAs(imageB());
    await push(imageA(), regA, ALICE);
    await push(imageB(), regB, BOB);
    // From here on the image exists only in the registries.
    await forget(imageA(), imageB(), LOCAL);

    // The flow side's registry logins: the real secrets component and in-process flow link.
    main = await createTestDb('pglite');
    sec = await createSecretsTestDb('pglite');
    const secrets = new Secrets({
      mainDb: main.db,
      backend: localBackend(sec.db),
      keyring: { current: generateMasterKey(), previous: [] },
      // [flowAPI.Registry]: bob's login for B, for namespaces without one of their own.
      defaultRegistry: { name: `http://${regB.host}`, user: BOB.user, token: BOB.password },
    });
    const logins: Record<string, Record<string, string>> = {
      // its own login at each registry
      team: { [regA.host]: `${ALICE.user}:${ALICE.password}`, [regB.host]: `${BOB.user}:${BOB.password}` },
      // each registry's login stored under the other host
      crossed: { [regA.host]: `${BOB.user}:${BOB.password}`, [regB.host]: `${ALICE.user}:${ALICE.password}` },
      wrong: { [regA.host]: `${ALICE.user}:${WRONG_PASSWORD}` },
      // none of its own: the default for B, nothing for A
      plain: {},
    };
    for (const [ns, hosts] of Object.entries(logins)) {
      await createNamespace(main.db, ns);
      for (const [host, value] of Object.entries(hosts)) await secrets.set(ns, 'registry', host, value);
    }
    // Only registryAuth is used here; the engine behind the other methods is never reached.
    const flow = flowLink(
      () => {
        throw new Error('no engine in this test');
      },
      (ns, image) => secrets.registryLogin(ns, image),
    );
    const link: FlowLink = {
      report(req, result) {
        waiting.get(req.actionId)?.(result);
        return Promise.resolve();
      },
      log: () => Promise.resolve(),
      getVariable: () => Promise.resolve(null),
      setVariable: () => Promise.resolve(),
      async registryAuth(req, image) {
        if (req.namespace === 'broken') throw new Error('the secrets service cannot be reached');
        const auth = await flow.registryAuth(req, image);
        asked.push({ image, auth });
        return auth;
      },
    };

    work = mkdtempSync(join(tmpdir(), 'direktiv-actions-'));
    runner = new ActionRunner({ docker: podman.docker, link, logger: pino({ level: 'silent' }), workDir: work });
    await runner.start();
    nodeId = readFileSync(join(work, 'node-id'), 'utf8').trim();
  }, 180_000);

  afterAll(async () => {
    await runner?.stop();
    if (podman && regA && regB) await forget(imageA(), imageB(), LOCAL);
    await podman?.stop();
    await Promise.all([regA?.stop(), regB?.stop(), main?.drop(), sec?.drop()]);
    for (const d of [dir, work]) if (d) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  // Each test starts with neither image in the local store, so that every call pulls.
  beforeEach(async () => {
    await forget(imageA(), imageB());
    asked.length = 0;
  });

  it('each registry takes only its own user', async () => {
    // What makes the pulls below tell the logins apart: either login is refused by the other registry.
    expect(await answers(regA, ALICE)).toBe(200);
    expect(await answers(regB, BOB)).toBe(200);
    expect(await answers(regA, BOB)).toBe(401);
    expect(await answers(regB, ALICE)).toBe(401);
    expect(await answers(regA, { ...ALICE, password: WRONG_PASSWORD })).toBe(401);
  });

  it("an image on A is pulled with the namespace's login for A, one on B with its login for B", async () => {
    expect(await call('team', imageA())).toEqual({ out: { hello: 'team' } });
    expect(await call('team', imageB())).toEqual({ out: { hello: 'team' } });
    expect(asked).toEqual([
      { image: imageA(), auth: { serveraddress: regA.host, username: ALICE.user, password: ALICE.password } },
      { image: imageB(), auth: { serveraddress: regB.host, username: BOB.user, password: BOB.password } },
    ]);
    expect(await present(imageA())).toBe(true);
    expect(await present(imageB())).toBe(true);
    // A private image in the local store is checked against each call's login; the same login passes.
    expect(await call('team', imageA())).toEqual({ out: { hello: 'team' } });
    expect(asked).toHaveLength(3);
    expect(await leftovers()).toBe(0);
  }, 180_000);

  it("a private image another namespace pulled does not serve a namespace without a login for it, also when both call at once", async () => {
    expect(await call('team', imageA())).toEqual({ out: { hello: 'team' } });
    const r = await call('plain', imageA());
    expect(r).toMatchObject({ err: { code: 'direktiv.function.image' } });
    expect((r as { err: { msg: string } }).err.msg).toMatch(/unauthorized|authentication required/i);

    await forget(imageA());
    const [team, plain] = await Promise.all([call('team', imageA()), call('plain', imageA())]);
    expect(team).toEqual({ out: { hello: 'team' } });
    expect(plain).toMatchObject({ err: { code: 'direktiv.function.image' } });
    expect(await leftovers()).toBe(0);
  }, 180_000);

  it('a registry login that cannot be looked up is direktiv.function.image, saying why', async () => {
    const r = await call('broken', imageA());
    expect(r).toEqual({
      err: { code: 'direktiv.function.image', msg: `cannot get the registry login for ${imageA()}: the secrets service cannot be reached` },
    });
  }, 60_000);

  it('a login stored for the other host is refused: direktiv.function.image for both images', async () => {
    for (const [image, reg, who] of [
      [imageA(), regA, BOB],
      [imageB(), regB, ALICE],
    ] as const) {
      const r = await call('crossed', image);
      expect(r).toMatchObject({ err: { code: 'direktiv.function.image' } });
      const msg = (r as { err: { msg: string } }).err.msg;
      expect(msg).toContain(image);
      expect(msg).toContain(`as ${who.user} at ${reg.host}`);
      expect(msg).toMatch(/unauthorized|authentication required/i);
      expect(msg).not.toContain(who.password);
      expect(await present(image)).toBe(false);
    }
    expect(await leftovers()).toBe(0);
  }, 120_000);

  it('a wrong password: direktiv.function.image naming the image and the refusal, without the password; no container', async () => {
    const r = await call('wrong', imageA());
    expect(r).toMatchObject({ err: { code: 'direktiv.function.image' } });
    const msg = (r as { err: { msg: string } }).err.msg;
    expect(msg).toContain(imageA());
    expect(msg).toMatch(/unauthorized|authentication required/i);
    expect(msg).not.toContain(WRONG_PASSWORD);
    expect(asked).toEqual([{ image: imageA(), auth: { serveraddress: regA.host, username: ALICE.user, password: WRONG_PASSWORD } }]);
    expect(await present(imageA())).toBe(false);
    expect(await leftovers()).toBe(0);
  }, 120_000);

  it('[flowAPI.Registry] logs in to its own host only; elsewhere the pull is anonymous and refused', async () => {
    expect(await call('plain', imageB())).toEqual({ out: { hello: 'plain' } });
    const r = await call('plain', imageA());
    expect(r).toMatchObject({ err: { code: 'direktiv.function.image' } });
    expect((r as { err: { msg: string } }).err.msg).toContain(imageA());
    expect(asked).toEqual([
      { image: imageB(), auth: { serveraddress: regB.host, username: BOB.user, password: BOB.password } },
      { image: imageA(), auth: undefined },
    ]);
    expect(await leftovers()).toBe(0);
  }, 180_000);

  it('an image that exists nowhere: direktiv.function.image, naming it', async () => {
    const r = await call('team', missing());
    expect(r).toMatchObject({ err: { code: 'direktiv.function.image' } });
    const msg = (r as { err: { msg: string } }).err.msg;
    expect(msg).toContain(missing());
    expect(msg).toMatch(/manifest unknown|not found/i);
    expect(await leftovers()).toBe(0);
  }, 120_000);
});
