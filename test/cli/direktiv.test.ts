/**
 * The `direktiv` program as users run it: real child processes of `node bin/direktiv.js …`
 * (what `npx direktiv` runs in a checkout), each in a temp working directory with a clean
 * environment.
 *
 * - help, version and `npx direktiv --help`;
 * - starts it refuses: `-t i` or `-t s` alone with nothing to share a
 *   token through, a bad command line, a bad or missing config file or variable, each with a
 *   message that names the problem;
 * - `generate-master-key` and `rotate-master-key`;
 * - `-t=w -c=/path` runs on what the file says, and DIREKTIV_INGRESS_BIND overrides the file;
 * - the default `-t wis` on the embedded database (PGlite initdb in a fresh directory): every
 *   component available (log and /api/healthz), the generated master key, workflows (one calling
 *   functions as containers) and a secret through the API, SIGTERM → exit 0, a restart that keeps both;
 * - `-t ws` and `-t i` apart on PostgreSQL: calls, results and logs between them, authenticated;
 * - SIGTERM on PostgreSQL with 50 instances pending: exit 0, and a second process finishes each
 *   instance exactly once; with clients waiting (execute?wait=true, a live log stream) it still
 *   exits at once, answering them;
 * - the API key on a public bind: generated, printed once, required, kept across a restart;
 *   Insecure = true serves without one, with a warning.
 *
 * Independent cases run concurrently (the servers mostly wait); what a test starts is released
 * when it ends (see scope() in helpers.ts), failed or not.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server as NetServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import {
  chainYaml,
  connectionUrl,
  createClusterDb,
  createNamespace,
  deployWorkflow,
  entriesPerNode,
  exactlyOnceProblems,
  execute,
  expectedRun,
  globalProblems,
  inParallel,
  statusCounts,
  waitUntil,
} from '../cluster/helpers.js';
import type { ChainSpec } from '../cluster/helpers.js';
import { PGlite } from '@electric-sql/pglite';
import { openPostgres, wrapPglite } from '../../src/db/index.js';
import * as namespaces from '../../src/namespaces/index.js';
import { Secrets, UnknownMasterKeyError, generateMasterKey, keyId, localBackend, migrateSecretsDb } from '../../src/secrets/index.js';
import { PG_ADMIN } from '../helpers/db-config.js';
import { createPostgresDatabase, dropPostgresDatabase } from '../helpers/db.js';
import { buildNodeImage } from '../../src/actions/index.js';
import { startPodman } from '../helpers/podman.js';
import { http, killAllChildren, REPO_ROOT, scope } from './helpers.js';
import type { Run, Scope, Server } from './helpers.js';

interface Health {
  status: string;
  components: Record<'w' | 'i' | 's', { enabled: boolean; available: boolean; message?: string }>;
  warnings: string[];
}

/** A TCP listener on 127.0.0.1 at a port the system picks. */
const listen = () =>
  new Promise<NetServer & { port: number }>((resolve, reject) => {
    const l = createServer();
    l.once('error', reject);
    l.listen(0, '127.0.0.1', () => {
      const addr = l.address();
      resolve(Object.assign(l, { port: typeof addr === 'object' && addr ? addr.port : 0 }));
    });
  });
const close = (l: NetServer) => new Promise<void>((resolve) => l.close(() => resolve()));

/** A function image on a Podman service of the test's own, for the action service to run. */
async function functionEngine(s: Scope): Promise<{ socket: string; image: string }> {
  const podman = await startPodman();
  s.defer(() => podman.stop());
  const dir = s.tempDir();
  writeFileSync(
    join(dir, 'index.mjs'),
    `import { serve } from './sdk/index.mjs';
serve(async (input, ctx) => { await ctx.log('greeting ' + input.name); return { greeting: 'Hello ' + input.name }; });
`,
  );
  const image = 'localhost/direktiv-test/cli-greeter:v1';
  await buildNodeImage(podman.docker, { tag: image, sourceDir: dir });
  return { socket: `unix://${podman.socket}`, image };
}

const functionWorkflow = (image: string, type: 'isolated' | 'reusable') => `id: greet-${type}
functions:
- id: greeter
  image: ${image}
  type: ${type}
states:
- id: call
  type: action
  action:
    function: greeter
    input: jq(.)
`;

/** A fresh PostgreSQL database (copied from the migrated template), dropped when the test ends. */
async function freshDatabase(s: Scope): Promise<string> {
  const name = (await createPostgresDatabase()).database!;
  s.defer(() => dropPostgresDatabase(name));
  return name;
}

/** A working directory and an environment for a start that must be refused. */
function sandbox(s: Scope): { cwd: string; env: Record<string, string> } {
  const cwd = s.tempDir();
  return { cwd, env: { DIREKTIV_INGRESS_BIND: '127.0.0.1:0', DIREKTIV_DATA: join(cwd, 'data') } };
}

/**
 * The run failed as a refused start must: a non-zero exit (no signal), a `direktiv: ` message
 * on stderr, no server and no data directory (a start that went ahead would create
 * <cwd>/data and time out).
 */
function expectRefused(run: Run, cwd: string): void {
  expect(run.signal, run.stderr).toBeNull();
  expect(run.code, `exit code; stderr: ${run.stderr}`).not.toBe(0);
  expect(run.stderr).toMatch(/^direktiv: /);
  expect(run.stdout).not.toMatch(/API listening/);
  expect(existsSync(join(cwd, 'data')), 'a refused start created a data directory').toBe(false);
}

/** --help: usage, options, components, and every setting with its environment variables. */
function expectHelp(out: string): void {
  expect(out).toMatch(/^Usage: direktiv \[options\]/);
  for (const option of ['-t, --type <components>', '-c, --config <file>', '-d, --debug', '-h, --help', '--version']) {
    expect(out).toContain(option);
  }
  expect(out).toMatch(/^ {2}w {2}flow \+ ingress/m);
  expect(out).toMatch(/^ {2}i {2}action service/m);
  expect(out).toMatch(/^ {2}s {2}secrets service/m);
  for (const k of CONFIG_KEYS) {
    const name = `[${k.section}] ${k.key}`;
    const escaped = name.replace(/[.[\]]/g, '\\$&');
    expect(out, name).toMatch(new RegExp(`^ {2}${escaped} +${k.env.join(', ')}\\n`, 'm'));
  }
}

/** Sends SIGTERM (or `signal`) and checks the exit: code 0, "<signal>: draining" then "stopped", no errors. */
async function expectGracefulStop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
  const stopped = await server.stop(signal, 30_000);
  expect(stopped, server.tail()).toMatchObject({ code: 0, signal: null });
  const msgs = server.messages();
  expect(msgs, server.tail()).toContain(`${signal}: draining`);
  expect(msgs[msgs.length - 1], server.tail()).toBe('stopped');
  expect(server.messages(50), server.tail()).toEqual([]);
  expect(server.stderr()).toBe('');
  return stopped.ms;
}

afterAll(killAllChildren);

// The long cases first: at most five tests run at once (vitest's maxConcurrency).
describe.concurrent('direktiv', () => {
  // -------------------------------------------------------------------------------------------
  describe('the default -t wis on the embedded database', () => {
    const WORKFLOW = `id: greeting
states:
- id: check
  type: switch
  conditions:
  - condition: 'jq(.guest == true)'
    transition: polite
  defaultTransition: casual
- id: polite
  type: noop
  transform:
    greeting: 'Good day, jq(.name).'
  transition: done
- id: casual
  type: noop
  transform:
    greeting: 'Hi jq(.name)!'
  transition: done
- id: done
  type: noop
  transform: 'jq(. + {length: (.greeting | length)})'
`;

    it(
      'starts in a fresh data directory, says i is not available yet, generates the master key, runs a workflow, drains on SIGTERM; a restart keeps the data',
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const t0 = Date.now();
        const timing: Record<string, number> = {};
        const cwd = s.tempDir();
        const data = join(s.tempDir(), 'state');
        const fns = await functionEngine(s);
        const env = {
          DIREKTIV_DATA: data,
          DIREKTIV_INGRESS_BIND: '127.0.0.1:0',
          DIREKTIV_SECRETS_BIND: '127.0.0.1:0',
          DIREKTIV_ISOLATE_SOCKET: fns.socket,
        };

        // No -t, no -c, no DIREKTIV_DB. PGlite's initdb takes ~10 s on an idle machine, far more on a busy one.
        const server = await s.start([], { cwd, env, startTimeoutMs: 150_000 });
        timing.firstStart = Date.now() - t0;
        expect(server.listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

        const warnings = server.messages(40);
        expect(server.messages().some((m) => m.startsWith(`action service: containers on ${fns.socket}`)), server.tail()).toBe(true);
        const keyFile = join(data, 'master.key');
        expect(warnings, server.tail()).toContain(
          `generated the secrets master key in ${keyFile}: back it up, apart from the databases; without it every secret is lost`,
        );
        expect(statSync(keyFile).mode & 0o777).toBe(0o600);
        expect(server.messages()).toContain(`database: embedded PGlite in ${join(data, 'main')}`);
        expect(server.messages()).toContain(`secrets database: embedded PGlite in ${join(data, 'secrets')}`);
        expect(server.messages().some((m) => /^secrets service listening on http:\/\/127\.0\.0\.1:\d+ \(token authentication\)$/.test(m))).toBe(true);
        expect(existsSync(join(data, 'main')), 'DIREKTIV_DATA/main').toBe(true);
        expect(existsSync(join(cwd, 'data')), './data despite DIREKTIV_DATA').toBe(false);

        const health = await http('GET', `${server.url}/api/healthz`);
        expect(health.status, health.text).toBe(200);
        const h = health.json<Health>();
        expect(h.components.w).toMatchObject({ enabled: true, available: true });
        expect(h.components.i).toMatchObject({ enabled: true, available: true });
        expect(h.components.s).toMatchObject({ enabled: true, available: true });
        expect(h.warnings).toEqual([]);

        const api = `${server.url}/api`;
        const ns = await http('PUT', `${api}/namespaces/cli-demo`);
        expect(ns.status, ns.text).toBeLessThan(300);
        const wf = await http('POST', `${api}/namespaces/cli-demo/workflows`, {
          body: WORKFLOW,
          headers: { 'content-type': 'application/yaml' },
        });
        expect(wf.status, wf.text).toBeLessThan(300);
        const run = await http('POST', `${api}/namespaces/cli-demo/workflows/greeting/execute?wait=true`, {
          body: JSON.stringify({ name: 'Ada', guest: true }),
          headers: { 'content-type': 'application/json' },
        });
        expect(run.status, run.text).toBe(200);
        // An object transform replaces the data; the last one adds to it.
        expect(run.json()).toEqual({ greeting: 'Good day, Ada.', length: 14 });
        const id = String(run.headers['direktiv-instanceid']);
        expect(id).toMatch(/^cli-demo\/greeting\/\w+$/);
        for (const type of ['isolated', 'reusable'] as const) {
          const fwf = await http('POST', `${api}/namespaces/cli-demo/workflows`, {
            body: functionWorkflow(fns.image, type),
            headers: { 'content-type': 'application/yaml' },
          });
          expect(fwf.status, fwf.text).toBeLessThan(300);
          const called = await http('POST', `${api}/namespaces/cli-demo/workflows/greet-${type}/execute?wait=true`, {
            body: JSON.stringify({ name: 'Ada' }),
            headers: { 'content-type': 'application/json' },
          });
          expect(called.status, called.text).toBe(200);
          expect(called.json()).toEqual({ name: 'Ada', return: { greeting: 'Hello Ada' } });
        }
        const secret = await http('POST', `${api}/namespaces/cli-demo/secrets`, {
          body: JSON.stringify({ name: 'token', data: 'kept-across-restarts' }),
          headers: { 'content-type': 'application/json' },
        });
        expect(secret.status, secret.text).toBe(200);
        timing.workflowRun = Date.now() - t0;

        timing.stop = await expectGracefulStop(server, 'SIGTERM');

        // Again on the same directory (no initdb now): the instance is still there; Ctrl-C stops it.
        const t1 = Date.now();
        const again = await s.start([], { cwd, env, startTimeoutMs: 150_000 });
        timing.secondStart = Date.now() - t1;
        const got = await http('GET', `${again.url}/api/instances/${id}`);
        expect(got.status, got.text).toBe(200);
        expect(got.json()).toMatchObject({ status: 'complete', output: { greeting: 'Good day, Ada.' } });
        // The same master key (read, not generated again) and the secret still there.
        expect(again.messages(40).some((m) => m.startsWith('generated the secrets master key'))).toBe(false);
        const names = await http('GET', `${api.replace(server.url, again.url)}/namespaces/cli-demo/secrets`);
        expect(names.json()).toMatchObject({ items: [{ name: 'token' }], total: 1 });
        timing.secondStop = await expectGracefulStop(again, 'SIGINT');

        console.log(`embedded default: ${JSON.stringify(timing)} (ms)`);
      },
      240_000,
    );
  });

  // -------------------------------------------------------------------------------------------
  describe('SIGTERM on PostgreSQL', () => {
    const NS = 'drain';
    const COUNT = 50;
    const SPEC: ChainSpec = {
      id: 'pause',
      states: [{ kind: 'delay', duration: 'PT1S' }, ...Array.from({ length: 5 }, () => ({ kind: 'noop' as const }))],
    };

    it(
      `with ${COUNT} instances pending: drains, exits 0, and a second node completes each exactly once`,
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const t0 = Date.now();
        const timing: Record<string, number> = {};
        const db = await createClusterDb();
        s.defer(() => db.drop());
        const { client } = db;
        const node = (name: string) =>
          s.start(['-t', 'w'], {
            env: {
              DIREKTIV_DB: connectionUrl(db.name, name),
              DIREKTIV_INGRESS_BIND: '127.0.0.1:0',
              DIREKTIV_ENGINE_POLL_INTERVAL: 'PT0.2S',
            },
          });

        const a = await node('node-a');
        timing.startA = Date.now() - t0;
        await createNamespace(a.url, NS);
        await deployWorkflow(a.url, NS, chainYaml(SPEC));
        const ids = await inParallel(
          Array.from({ length: COUNT }, () => () => execute(a.url, NS, SPEC.id)),
          8,
        );
        timing.started = Date.now() - t0;

        // SIGTERM as the first delays run out (state logic in flight) while most still wait.
        let atSignal: Record<string, number> = {};
        await waitUntil(
          async () => {
            atSignal = await statusCounts(client);
            return (atSignal.complete ?? 0) > 0 || Date.now() - t0 > timing.started! + 1500;
          },
          10_000,
          () => JSON.stringify(atSignal),
          10,
        );
        expect(atSignal.pending ?? 0, `nothing pending at SIGTERM: ${JSON.stringify(atSignal)}`).toBeGreaterThan(0);
        timing.signalled = Date.now() - t0;
        timing.stopA = await expectGracefulStop(a, 'SIGTERM');

        // A graceful stop closes its connections: nothing left for PostgreSQL to reap.
        const backends = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'node-a'`,
        );
        expect(backends.rows[0]!.n, 'connections of node-a after it exited').toBe(0);
        const afterStop = await statusCounts(client);

        const b = await node('node-b');
        timing.startB = Date.now() - t0;
        await waitUntil(
          async () => ((await statusCounts(client)).complete ?? 0) === COUNT,
          30_000,
          async () => `${JSON.stringify(await statusCounts(client))}\nnode-b:\n${b.tail()}`,
        );
        timing.allComplete = Date.now() - t0;

        const expected = expectedRun(SPEC);
        expect(await exactlyOnceProblems(client, ids, () => expected)).toEqual([]);
        expect(await globalProblems(client, ids)).toEqual([]);
        const perNode = await entriesPerNode(client);
        expect((perNode['node-a'] ?? 0) + (perNode['node-b'] ?? 0)).toBe(COUNT * SPEC.states.length);
        await expectGracefulStop(b, 'SIGTERM');

        console.log(
          `drain: at SIGTERM ${JSON.stringify(atSignal)}, after exit ${JSON.stringify(afterStop)}, ` +
            `state entries per node ${JSON.stringify(perNode)}; timing ${JSON.stringify(timing)} (ms)`,
        );
      },
      120_000,
    );

    it(
      'while clients wait: a wait=true request answers 202 with its id, a live log stream ends, and the process exits 0 at once',
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const database = await freshDatabase(s);
        const server = await s.start(['-t', 'w'], {
          env: { DIREKTIV_DB: connectionUrl(database, 'cli-wait'), DIREKTIV_INGRESS_BIND: '127.0.0.1:0' },
        });
        const LONG: ChainSpec = { id: 'long', states: [{ kind: 'delay', duration: 'PT10M' }, { kind: 'noop' }] };
        await createNamespace(server.url, NS);
        await deployWorkflow(server.url, NS, chainYaml(LONG));

        // A client following the live log of one instance…
        const followed = await execute(server.url, NS, LONG.id);
        let streamOpen!: () => void;
        const open = new Promise<void>((resolve) => (streamOpen = resolve));
        const stream = http('GET', `${server.url}/api/instances/${followed}/logs`, {
          headers: { accept: 'text/event-stream' },
          timeoutMs: 60_000,
          onResponse: () => streamOpen(),
        });
        await open;
        // …and one waiting for another to end (default wait: five minutes).
        const waiting = http('POST', `${server.url}/api/namespaces/${NS}/workflows/${LONG.id}/execute?wait=true`, {
          body: '{}',
          headers: { 'content-type': 'application/json' },
          timeoutMs: 60_000,
        });
        const client = new pg.Client({ connectionString: connectionUrl(database, 'cli-wait-test') });
        await client.connect();
        s.defer(() => client.end());
        await waitUntil(
          async () => (await client.query('SELECT 1 FROM instances')).rowCount === 2,
          10_000,
          () => 'the wait=true request did not start its instance',
          20,
        );
        await new Promise((r) => setTimeout(r, 200)); // into waitForEnd

        const [stopMs, waited, streamed] = await Promise.all([expectGracefulStop(server, 'SIGTERM'), waiting, stream]);
        expect(stopMs, 'SIGTERM to exit with clients waiting').toBeLessThan(15_000);
        expect(waited.status, waited.text).toBe(202);
        const waitedId = waited.json<{ instanceId: string }>().instanceId;
        expect(waitedId).toMatch(new RegExp(`^${NS}/${LONG.id}/`));
        expect(waited.headers['direktiv-instanceid']).toBe(waitedId);
        expect(streamed.status).toBe(200);
        expect(streamed.text).toMatch(/^id: \d+\ndata: /);
        expect(streamed.text).not.toContain('event: end');

        // Both instances are left pending, their timers in the queue, for another node to finish.
        const left = await client.query<{ id: string; status: string; work: number }>(
          `SELECT i.id, i.status, (SELECT count(*)::int FROM work w WHERE w.instance_id = i.id) AS work
             FROM instances i ORDER BY i.id`,
        );
        expect(left.rows.map((r) => r.id).sort()).toEqual([followed, waitedId].sort());
        for (const r of left.rows) {
          expect(r.status).toBe('pending');
          expect(r.work, `queued work of ${r.id}`).toBeGreaterThan(0);
        }
      },
      120_000,
    );
  });

  // -------------------------------------------------------------------------------------------
  describe('the API key on a public bind (0.0.0.0, PostgreSQL)', () => {
    const KEY_LINE = /^generated an API key for the public API on 0\.0\.0\.0: (\S+) \(shown once\)$/;

    const startPublic = (s: Scope, database: string, extra: Record<string, string> = {}) =>
      s.start(['-t', 'w'], {
        env: { DIREKTIV_DB: connectionUrl(database, 'cli-key'), DIREKTIV_INGRESS_BIND: '0.0.0.0:0', ...extra },
      });

    /** An address of this machine other than loopback, if it has one. */
    function externalAddress(): string | undefined {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
      }
      return undefined;
    }

    /** 401 without the key or with a wrong one, 200 with it (either header); healthz is open. */
    async function expectKeyRequired(base: string, key: string) {
      const get = (headers: Record<string, string>) => http('GET', `${base}/api/namespaces`, { headers });
      const [none, wrong, bearer, token, health] = await Promise.all([
        get({}),
        get({ authorization: `Bearer ${key}x` }),
        get({ authorization: `Bearer ${key}` }),
        get({ 'direktiv-token': key }),
        http('GET', `${base}/api/healthz`),
      ]);
      expect(none.status, none.text).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(wrong.status, wrong.text).toBe(401);
      expect(bearer.status, bearer.text).toBe(200);
      expect(token.status, token.text).toBe(200);
      expect(health.status, health.text).toBe(200);
      expect(health.text).not.toContain(key);
    }

    const occurrences = (text: string, s: string) => text.split(s).length - 1;

    it(
      'first start prints a generated key once and requires it; a restart prints none and requires the same key',
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const database = await freshDatabase(s);

        const first = await startPublic(s, database);
        const keyLines = first.logs().filter((l) => KEY_LINE.test(l.msg));
        expect(keyLines, first.tail()).toHaveLength(1);
        expect(keyLines[0]!.level, 'the key line is a warning').toBe(40);
        const key = KEY_LINE.exec(keyLines[0]!.msg)![1]!;
        expect(key.length).toBeGreaterThanOrEqual(20);
        await expectKeyRequired(first.url, key);
        // It listens on every interface, not only loopback.
        const ext = externalAddress();
        if (ext !== undefined) {
          const r = await http('GET', `http://${ext}:${first.port}/api/namespaces`, {
            headers: { authorization: `Bearer ${key}` },
          });
          expect(r.status, r.text).toBe(200);
        }
        await expectGracefulStop(first);
        // Shown once: that log line and nowhere else (the requests that carried it were not logged with it).
        expect(occurrences(first.stdout(), key)).toBe(1);

        const second = await startPublic(s, database);
        expect(second.messages().filter((m) => /generated an API key/.test(m)), second.tail()).toEqual([]);
        expect(second.messages()).toContain('API key required (the one generated on first start, kept in the database)');
        await expectKeyRequired(second.url, key);
        await expectGracefulStop(second);
        expect(second.stdout()).not.toContain(key);
      },
      120_000,
    );

    it(
      'DIREKTIV_INGRESS_INSECURE=true: no key generated or required, a warning in the log and in /api/healthz',
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const database = await freshDatabase(s);

        const server = await startPublic(s, database, { DIREKTIV_INGRESS_INSECURE: 'true' });
        expect(server.messages().filter((m) => /generated an API key|API key required/.test(m)), server.tail()).toEqual([]);
        expect(server.messages(40).some((m) => /Insecure = true/.test(m)), server.tail()).toBe(true);
        const list = await http('GET', `${server.url}/api/namespaces`);
        expect(list.status, list.text).toBe(200);
        const health = await http('GET', `${server.url}/api/healthz`);
        expect(health.status, health.text).toBe(200);
        const warnings = health.json<Health>().warnings;
        expect(warnings.some((w) => /Insecure = true/.test(w) && /no key/.test(w)), JSON.stringify(warnings)).toBe(true);
        await expectGracefulStop(server);

        // Nothing was stored: the first secure start on this database is the one that generates the key.
        const secure = await startPublic(s, database);
        expect(secure.messages().filter((m) => KEY_LINE.test(m)), secure.tail()).toHaveLength(1);
        await expectGracefulStop(secure);
      },
      120_000,
    );
  });

  // -------------------------------------------------------------------------------------------
  describe('-t=w -c=<file>', () => {
    it(
      'runs on the file\'s database and address (-t=w -c=/abs); DIREKTIV_INGRESS_BIND overrides the file (--type w --config rel)',
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const database = await freshDatabase(s);
        const dir = s.tempDir();
        // cwd is an empty directory: a start that ignored the file would run PGlite in <cwd>/data.
        const cwd = s.tempDir();

        // A free port for the file's own Bind (picked by the system, released for the server).
        const probe = await listen();
        const freePort = probe.port;
        await close(probe);
        // A taken one for the overridden start: had the file's Bind been used, that start would fail.
        const taken = await listen();
        s.defer(() => close(taken));

        const toml = (app: string, port: number) =>
          `[Database]\nDB = "${connectionUrl(database, app)}"\n\n[ingressAPI]\nBind = "127.0.0.1:${port}"\n`;
        writeFileSync(join(dir, 'direktiv.toml'), toml('cli-file', freePort));
        writeFileSync(join(dir, 'overridden.toml'), toml('cli-env', taken.port));

        const [a, b] = await Promise.all([
          s.start(['-t=w', `-c=${join(dir, 'direktiv.toml')}`], { cwd }),
          s.start(['--type', 'w', '--config', join('..', basename(dir), 'overridden.toml')], {
            cwd,
            env: { DIREKTIV_INGRESS_BIND: '127.0.0.1:0' },
          }),
        ]);
        expect(a.port).toBe(freePort);
        expect(b.port).not.toBe(taken.port);
        expect(b.listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

        for (const server of [a, b]) {
          expect(server.messages()).toContain(`database: PostgreSQL at 127.0.0.1:5432/${database}`);
          // -t w: nothing said about components that were not asked for.
          expect(server.messages().join('\n')).not.toMatch(/not available in this version yet/);
          const health = await http('GET', `${server.url}/api/healthz`);
          expect(health.status, health.text).toBe(200);
          const h = health.json<Health>();
          expect(h.status).toBe('ok');
          expect(h.components.w).toMatchObject({ enabled: true, available: true });
          expect(h.components.i).toMatchObject({ enabled: false, available: false, message: 'not started on this node' });
          expect(h.components.s).toMatchObject({ enabled: false, available: false, message: 'not started on this node' });
          // No secrets service in the file: none is used (it is optional), and that is said.
          expect(server.messages().some((m) => m.startsWith('secrets: no secrets service configured'))).toBe(true);
        }
        expect(existsSync(join(cwd, 'data')), 'an embedded database in cwd').toBe(false);
        const noSecrets = await http('GET', `${a.url}/api/namespaces/default/secrets`);
        expect(noSecrets.status).toBe(503);

        // Both run on the file's database: a namespace made through one is listed by the other.
        const put = await http('PUT', `${a.url}/api/namespaces/from-file`);
        expect(put.status, put.text).toBeLessThan(300);
        const list = await http('GET', `${b.url}/api/namespaces`);
        expect(list.status, list.text).toBe(200);
        expect(list.text).toContain('from-file');

        await Promise.all([expectGracefulStop(a), expectGracefulStop(b)]);
      },
      120_000,
    );
  });

  // -------------------------------------------------------------------------------------------
  describe('help and version', () => {
    it('--help prints the usage, the components and every setting with its variables, and exits 0', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const run = await s.run(['--help']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expectHelp(run.stdout);
    });

    it('--version prints the package version and exits 0', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const run = await s.run(['--version']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('0.1.0');
    });

    it('npx direktiv --help from the repository root runs the package bin', { timeout: 90_000 }, async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
      const run = await s.run(['--help'], { command: [npx, '--no-install', 'direktiv'], cwd: REPO_ROOT, timeoutMs: 80_000 });
      expect(run.code, run.stderr).toBe(0);
      expectHelp(run.stdout);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('the action service apart', () => {
    it('-t i alone on an embedded main database without a token is refused, naming what to configure', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const run = await s.run(['-t', 'i'], { cwd, env: { ...env, DIREKTIV_FLOW_ENDPOINT: '127.0.0.1:7777' } });
      expectRefused(run, cwd);
      expect(run.stderr).toMatch(/-t i without w: configure \[isolateAPI\] Token \(DIREKTIV_ISOLATE_TOKEN\)/);
    });

    it('-t i with VM isolation is refused: not in this version yet', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const run = await s.run(['-t', 'i'], {
        cwd,
        env: {
          ...env,
          DIREKTIV_FLOW_ENDPOINT: '127.0.0.1:7777',
          DIREKTIV_ISOLATE_TOKEN: 'x'.repeat(32),
          DIREKTIV_ISOLATION: 'vm',
          DIREKTIV_MINIO_ENDPOINT: '127.0.0.1:9000',
          DIREKTIV_MINIO_USER: 'u',
          DIREKTIV_MINIO_PASSWORD: 'p',
        },
      });
      expectRefused(run, cwd);
      expect(run.stderr).toMatch(/VM isolation \(\[isolateAPI\] Isolation = "vorteil"\) is not available in this version yet/);
    });

    it(
      '-t ws and -t i on one PostgreSQL: calls go to the action service, results and logs come back; both stop gracefully',
      async ({ onTestFinished }) => {
        const s = scope(onTestFinished);
        const database = await freshDatabase(s);
        const fns = await functionEngine(s);
        const ports: number[] = [];
        for (let i = 0; i < 2; i++) {
          const probe = await listen();
          ports.push(probe.port);
          await close(probe);
        }
        const [flowPort, isolatePort] = ports as [number, number];
        const common = {
          DIREKTIV_DB: connectionUrl(database, 'split'),
          DIREKTIV_FLOW_BIND: `127.0.0.1:${flowPort}`,
          DIREKTIV_FLOW_ENDPOINT: `127.0.0.1:${flowPort}`,
          DIREKTIV_ISOLATE_BIND: `127.0.0.1:${isolatePort}`,
          DIREKTIV_ISOLATE_ENDPOINT: `127.0.0.1:${isolatePort}`,
        };
        const cwd = s.tempDir();
        // The token both present is generated into the main database they share.
        const flow = await s.start(['-t', 'ws'], {
          cwd,
          env: { ...common, DIREKTIV_INGRESS_BIND: '127.0.0.1:0', DIREKTIV_SECRETS_BIND: '127.0.0.1:0', DIREKTIV_DATA: join(cwd, 'w') },
        });
        const actions = await s.start(['-t', 'i'], {
          cwd,
          env: { ...common, DIREKTIV_ISOLATE_SOCKET: fns.socket, DIREKTIV_DATA: join(cwd, 'i') },
          ready: /^action service listening on /,
        });
        expect(actions.listening).toBe(`http://127.0.0.1:${isolatePort}`);
        expect(flow.messages()).toContain(`actions: the action service at 127.0.0.1:${isolatePort}; flow endpoint listening on http://127.0.0.1:${flowPort}`);

        // An unauthenticated call to either endpoint is refused.
        for (const port of [flowPort, isolatePort]) {
          const refused = await http('POST', `http://127.0.0.1:${port}/v1/actions/report`, { body: '{}', headers: { 'content-type': 'application/json' } });
          expect(refused.status).toBe(401);
        }

        const api = `${flow.url}/api`;
        expect((await http('PUT', `${api}/namespaces/split`)).status).toBeLessThan(300);
        for (const type of ['isolated', 'reusable'] as const) {
          const wf = await http('POST', `${api}/namespaces/split/workflows`, {
            body: functionWorkflow(fns.image, type),
            headers: { 'content-type': 'application/yaml' },
          });
          expect(wf.status, wf.text).toBeLessThan(300);
          const run = await http('POST', `${api}/namespaces/split/workflows/greet-${type}/execute?wait=true`, {
            body: JSON.stringify({ name: 'Bo' }),
            headers: { 'content-type': 'application/json' },
          });
          expect(run.status, run.text).toBe(200);
          expect(run.json()).toEqual({ name: 'Bo', return: { greeting: 'Hello Bo' } });
          const logs = await http('GET', `${api}/instances/${String(run.headers['direktiv-instanceid'])}/logs`);
          expect(logs.json<{ items: { msg: string }[] }>().items.map((l) => l.msg)).toContain('greeting Bo');
        }

        const health = async () => (await http('GET', `${flow.url}/api/healthz`)).json<Health>();
        expect((await health()).components.i).toMatchObject({ enabled: false, available: true });

        // With the action service gone, /api/healthz says so, and a call fails at once with a catchable error.
        await expectGracefulStop(actions);
        const h = await health();
        expect(h.status).toBe('degraded');
        expect(h.components.i.available).toBe(false);
        expect(h.components.i.message).toMatch(/^the action service at 127\.0\.0\.1:\d+ cannot be reached/);
        const gone = await http('POST', `${api}/namespaces/split/workflows/greet-isolated/execute?wait=true`, {
          body: JSON.stringify({ name: 'Cy' }),
          headers: { 'content-type': 'application/json' },
        });
        expect(gone.status).toBe(500);
        expect(gone.headers['direktiv-errorcode']).toBe('direktiv.function.unavailable');
        await expectGracefulStop(flow);
      },
      180_000,
    );
  });

  // -------------------------------------------------------------------------------------------
  describe('the secrets service alone and the master-key commands', () => {
    it('-t s alone on an embedded main database without a token is refused, naming what to configure', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const run = await s.run(['-t', 's'], { cwd, env });
      expectRefused(run, cwd);
      expect(run.stderr).toMatch(/-t s without w: configure \[secretsAPI\] Token \(DIREKTIV_SECRETS_TOKEN\)/);
    });

    it('generate-master-key prints a new 32-byte key and nothing else', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const [a, b] = await Promise.all([s.run(['generate-master-key'], { cwd, env }), s.run(['generate-master-key'], { cwd, env })]);
      for (const r of [a, b]) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
        expect(Buffer.from(r.stdout.trim(), 'base64')).toHaveLength(32);
      }
      expect(a.stdout).not.toBe(b.stdout);
      expect(existsSync(join(cwd, 'data'))).toBe(false);
    });

    it('rotate-master-key re-wraps every namespace key with the new key; the old key alone then reads nothing', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const database = await freshDatabase(s);
      const main = await openPostgres({ connection: { ...PG_ADMIN, database }, poolSize: 2 });
      s.defer(() => main.close());
      const secretsDb = new PGlite();
      const sec = wrapPglite(secretsDb);
      s.defer(() => sec.close());
      await migrateSecretsDb(sec);
      const oldKey = generateMasterKey();
      const newKey = generateMasterKey();
      const before = new Secrets({ mainDb: main, backend: localBackend(sec), keyring: { current: oldKey, previous: [] } });
      for (const ns of ['one', 'two', 'three']) {
        await namespaces.create(main, ns);
        await before.set(ns, 'secret', 'token', `value of ${ns}`);
      }
      const dbEnv = { ...env, DIREKTIV_DB: connectionUrl(database) };

      // Without the old key among PreviousKeys nothing can be re-wrapped, and nothing is.
      const refused = await s.run(['rotate-master-key'], { cwd, env: { ...dbEnv, DIREKTIV_SECRETS_KEY: newKey.toString('base64') } });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`wrapped by master key(s) ${keyId(oldKey)}`);
      expect(refused.stderr).toContain('Nothing was changed');

      const run = await s.run(['rotate-master-key'], {
        cwd,
        env: { ...dbEnv, DIREKTIV_SECRETS_KEY: newKey.toString('hex'), DIREKTIV_SECRETS_PREVIOUS_KEYS: oldKey.toString('base64') },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`re-wrapped 3 namespace key(s)`);
      expect(run.stdout).toContain(`wrapped by master key ${keyId(newKey)}`);
      expect(`${run.stdout}${run.stderr}`).not.toContain(newKey.toString('base64'));
      expect(`${run.stdout}${run.stderr}`).not.toContain(oldKey.toString('base64'));

      const after = new Secrets({ mainDb: main, backend: localBackend(sec), keyring: { current: newKey, previous: [] } });
      expect(await after.resolve('two', ['token'])).toEqual({ token: 'value of two' });
      await expect(before.resolve('two', ['token'])).rejects.toThrow(UnknownMasterKeyError);
      // Again: nothing left to do.
      const again = await s.run(['rotate-master-key'], { cwd, env: { ...dbEnv, DIREKTIV_SECRETS_KEY: newKey.toString('base64') } });
      expect(again.stdout).toContain('re-wrapped 0 namespace key(s)');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('a command line it refuses is named', () => {
    it.for([
      { args: ['-t', 'x'], says: /-t\/--type "x": unknown component "x"; use any of w = .*, i = .*, s = / },
      { args: ['-t=wx'], says: /-t\/--type "wx": unknown component "x"/ },
      { args: ['--bogus'], says: /unknown option '--bogus'/ },
    ])('$args', async ({ args, says }, { onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const run = await s.run(args, { cwd, env });
      expectRefused(run, cwd);
      expect(run.stderr).toMatch(/^direktiv: command line: /);
      expect(run.stderr).toMatch(says);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('a config it refuses: the key, the file and the line', () => {
    it('a wrong value: [isolateAPI] Isolation = "foo"', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const file = join(cwd, 'direktiv.toml');
      writeFileSync(file, '# test\n[ingressAPI]\nBind = "127.0.0.1:0"\n\n[isolateAPI]\nIsolation = "foo"\n');
      const run = await s.run(['-c', file], { cwd, env });
      expectRefused(run, cwd);
      expect(run.stderr).toContain(`config ${file}: [isolateAPI] Isolation = "foo" (line 6): must be "container" or "vorteil"`);
    });

    it('-t=w -c=my.conf: the file named as given', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      writeFileSync(join(cwd, 'my.conf'), '[Engine]\nWorkers = 0\n');
      const run = await s.run(['-t=w', '-c=my.conf'], { cwd, env });
      expectRefused(run, cwd);
      expect(run.stderr).toContain('config my.conf: [Engine] Workers = 0 (line 2): must be at least 1');
    });

    it('not TOML: the line and column', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      writeFileSync(join(cwd, 'broken.toml'), '# comment\n[ingressAPI]\nBind = \n');
      const run = await s.run(['-c', 'broken.toml'], { cwd, env });
      expectRefused(run, cwd);
      expect(run.stderr).toMatch(/config broken\.toml: line 3, column \d+: invalid TOML/);
    });

    it('a missing file', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const file = join(cwd, 'nowhere', 'direktiv.toml');
      const run = await s.run([`-c=${file}`], { cwd, env });
      expectRefused(run, cwd);
      expect(run.stderr).toContain(`config ${file}: file not found`);
    });

    it('a wrong value in the environment: the variable', async ({ onTestFinished }) => {
      const s = scope(onTestFinished);
      const { cwd, env } = sandbox(s);
      const run = await s.run([], { cwd, env: { ...env, DIREKTIV_ISOLATION: 'foo' } });
      expectRefused(run, cwd);
      expect(run.stderr).toContain('environment variable DIREKTIV_ISOLATION: [isolateAPI] Isolation = "foo": must be');
    });
  });
});
