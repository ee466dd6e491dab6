/**
 * The users' examples (../shared/examples), each run to its end through the real engine and the
 * action service on real Podman, calling the local stand-ins of the images they name
 * (functions/standins, built by scripts/standins.ts). Event-started and event-waiting examples
 * get their events, the examples that reach for the internet get a local HTTP server in its
 * place (baked into the request images as a redirect), the ones that need secrets get them, and
 * the invalid example is rejected for exactly its problem. PostgreSQL only: containers are slow.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandins, STANDINS } from '../../scripts/standins.js';
import type { ActionService, Engine, InstanceDetail, SecretsProvider } from '../../src/engine/index.js';
import { acceptEvents, installEventHooks, listEvents } from '../../src/events/index.js';
import type { Value } from '../../src/jq/index.js';
import { Codes, WorkflowError } from '../../src/language/index.js';
import * as namespaces from '../../src/namespaces/index.js';
import * as workflows from '../../src/workflows/index.js';
import { hostAddress } from '../../src/actions/index.js';
import { startTestActions } from '../helpers/actions.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';
import { eventMaker, untilWaiting } from '../events/helpers.js';
import { exampleNames, readExample } from '../language/helpers.js';

installEventHooks();

const INVALID = 'v04-unreliable-action-retries.yaml';
const HOST = hostAddress() ?? '127.0.0.1';

/** Generous bounds (not timings): actions start containers on a slow, shared machine. */
const RUN_MS = 150_000;
const IT_MS = 200_000;

/**
 * The action service, built here and nowhere else in this file, on its default network: the
 * containers reach the host at its own address (not its loopback), where the stand-in internet
 * listens.
 */
async function startActions(podman: PodmanService, engine: () => Engine): Promise<{ service: ActionService; stop(): Promise<void> }> {
  const actions = await startTestActions(podman.docker, engine);
  return { service: actions.runner, stop: () => actions.stop() };
}

/** What the examples' secrets hold here. */
const SECRETS: Record<string, string> = {
  secretToken: 'token-of-the-test',
  EMAIL_ADDRESS: 'inbox@example.com',
  EMAIL_PASSWORD: 'mail-password',
  SERVICE_ACCOUNT_KEY: '{"type":"service_account","project_id":"sentiment"}',
  GCP_SERVICEACCOUNTKEY: '{"type":"service_account","project_id":"direktiv"}',
};

const secrets: SecretsProvider = {
  resolve(namespace, names) {
    const missing = names.find((n) => !(n in SECRETS));
    if (missing) return Promise.reject(new WorkflowError(Codes.secretsNotFound, `secret '${missing}' not found in namespace '${namespace}'`, false));
    return Promise.resolve(Object.fromEntries(names.map((n) => [n, SECRETS[n]!])));
  },
};

/** The todo jsonplaceholder.typicode.com answers for /todos/1. */
const TODO = { userId: 1, id: 1, title: 'delectus aut autem', completed: false };
const LAST_MODIFIED = 'Tue, 01 Apr 2025 08:00:00 GMT';

/** The internet the examples name, on 127.0.0.1: each site under a path named after its host. */
interface Site {
  port: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  /** the Etag docs.direktiv.io answers with (the cron example watches it) */
  etag: string;
  close(): Promise<void>;
}

async function startSite(): Promise<Site> {
  const site: Site = { port: 0, requests: [], etag: '"v1"', close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    site.requests.push({ method: req.method!, url: req.url!, headers: req.headers });
    if (req.url === '/jsonplaceholder.typicode.com/todos/1') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(TODO));
    } else if (req.url === '/docs.direktiv.io' || req.url === '/docs.direktiv.io/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', Etag: site.etag, 'Last-Modified': LAST_MODIFIED });
      res.end(req.method === 'HEAD' ? undefined : '<html><body>Direktiv</body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  // On the host's own address: function containers cannot reach its loopback.
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  site.port = (server.address() as AddressInfo).port;
  site.close = () => new Promise((resolve) => server.close(() => resolve()));
  return site;
}

/** The images an example's functions name (a line match: not every example is strict YAML). */
function imagesOf(yaml: string): string[] {
  return [...yaml.matchAll(/^[\s-]*image:\s*["']?([^\s"']+)/gm)].map((m) => m[1]!);
}

const event = eventMaker('example-');

describe('the users’ examples, run on the stand-in images (PostgreSQL, Podman)', () => {
  let podman: PodmanService;
  let site: Site;
  let actions: { service: ActionService; stop(): Promise<void> };
  let e: TestEngine;
  let built: string[] = [];

  beforeAll(async () => {
    podman = await startPodman();
    site = await startSite();
    const local = `http://${HOST}:${site.port}`;
    built = await buildStandins(podman.docker, {
      redirects: {
        'https://jsonplaceholder.typicode.com': `${local}/jsonplaceholder.typicode.com`,
        'https://docs.direktiv.io': `${local}/docs.direktiv.io`,
      },
    });
    actions = await startActions(podman, () => e.engine);
    e = await startTestEngine('postgres', {}, { actions: actions.service, secrets });
  }, 300_000);
  afterAll(async () => {
    await e?.stop();
    await actions?.stop();
    await site?.close();
    await podman?.stop();
  });

  /** Deploys the examples into the namespace (each example has a namespace of its own, so events stay within it). */
  const deploy = async (ns: string, ...files: string[]) => {
    for (const f of files) await e.deploy(ns, readExample(f));
  };
  const run = (ns: string, wf: string, input: Value = {}) => e.run(ns, wf, input, RUN_MS);
  const start = async (ns: string, wf: string) =>
    (await e.engine.execute({ namespace: ns, workflow: wf, input: Buffer.from('{}'), invokedBy: { kind: 'api' } })).instanceId;
  const end = async (id: string): Promise<InstanceDetail> => {
    const done = await e.engine.waitForEnd(id, RUN_MS);
    if (!done) throw new Error(`instance ${id} did not end within ${RUN_MS} ms`);
    return done;
  };
  const complete = (done: InstanceDetail) => {
    expect(done.status, `${done.errorCode ?? ''} ${done.errorMessage ?? ''}`).toBe('complete');
    return done;
  };
  const requestsTo = (path: string) => site.requests.filter((r) => r.url === path);
  /** The instance's log, where the stand-ins say what they would have sent. */
  const logOf = async (done: InstanceDetail) => (await e.logLines(done.id)).join('\n');

  /** What each example must do, by file name; an example without an entry fails its test. */
  const SCENARIOS: Record<string, (ns: string) => Promise<void>> = {
    async 'v03-tpl-action.yaml'(ns) {
      await deploy(ns, 'v03-tpl-action.yaml');
      const before = requestsTo('/jsonplaceholder.typicode.com/todos/1').length;
      const done = complete(await run(ns, 'action'));
      expect(done.output).toEqual({
        return: { status: 200, headers: expect.objectContaining({ 'Content-Type': ['application/json; charset=utf-8'] }) as unknown, body: TODO },
      });
      expect(requestsTo('/jsonplaceholder.typicode.com/todos/1').length).toBe(before + 1);
      expect(await logOf(done)).toContain(`GET https://jsonplaceholder.typicode.com/todos/1 (sent to http://${HOST}:${site.port}/`);
    },

    async 'v03-tpl-consume-event.yaml'(ns) {
      await deploy(ns, 'v03-tpl-consume-event.yaml', 'v03-tpl-generate-greeting-event.yaml');
      const id = await start(ns, 'consume-event');
      await untilWaiting(e, id);
      complete(await run(ns, 'generate-greeting-event'));
      const done = complete(await end(id));
      expect(done.flow).toEqual(['ce', 'greet']);
      expect(done.output).toEqual({ greeting: 'Welcome to Direktiv, Trent!' });
    },

    async 'v03-tpl-delay.yaml'(ns) {
      await deploy(ns, 'v03-tpl-delay.yaml');
      expect(complete(await run(ns, 'delay')).flow).toEqual(['delay']);
    },

    async 'v03-tpl-error.yaml'(ns) {
      await deploy(ns, 'v03-tpl-error.yaml');
      // It ends in its error state on purpose: the address has no "@".
      const done = await run(ns, 'error');
      expect(done).toMatchObject({ status: 'failed', errorCode: 'direktiv.schema.*', errorMessage: "email '.email' is not valid" });
      expect(done.flow).toEqual(['data', 'validate-email', 'email-not-valid']);
    },

    async 'v03-tpl-event-and.yaml'(ns) {
      await deploy(ns, 'v03-tpl-event-and.yaml', 'v03-tpl-generate-greeting-event.yaml', 'v03-tpl-generate-solve-event.yaml');
      const id = await start(ns, 'event-and');
      await untilWaiting(e, id);
      complete(await run(ns, 'generate-greeting-event'));
      complete(await run(ns, 'generate-solve-event'));
      const done = complete(await end(id));
      expect(done.flow).toEqual(['event-and', 'greet', 'solve']);
      // Its greet input `.greetingcloudevent` lacks jq(): a literal string, which the stand-in greets.
      expect(done.output).toEqual({ msggreeting: 'Welcome to Direktiv, .greetingcloudevent!', solvedexpression: 15 });
    },

    async 'v03-tpl-event-xor.yaml'(ns) {
      await deploy(ns, 'v03-tpl-event-xor.yaml', 'v03-tpl-generate-solve-event.yaml');
      const id = await start(ns, 'event-xor');
      await untilWaiting(e, id);
      complete(await run(ns, 'generate-solve-event'));
      const done = complete(await end(id));
      expect(done.flow).toEqual(['event-xor', 'solve']);
      expect(done.output).toEqual({ solvedexpression: 15 });
    },

    async 'v03-tpl-foreach.yaml'(ns) {
      await deploy(ns, 'v03-tpl-foreach.yaml');
      expect(complete(await run(ns, 'foreach')).output).toEqual({ solved: [14, 1, 300, 100] });
    },

    async 'v03-tpl-generate-greeting-event.yaml'(ns) {
      await deploy(ns, 'v03-tpl-generate-greeting-event.yaml');
      complete(await run(ns, 'generate-greeting-event'));
      const events = await listEvents(e.t.db, ns, { offset: 0, limit: 10 });
      expect(events.items.map((ev) => [ev.type, ev.source])).toEqual([['greetingcloudevent', 'Direktiv']]);
    },

    async 'v03-tpl-generate-solve-event.yaml'(ns) {
      await deploy(ns, 'v03-tpl-generate-solve-event.yaml');
      complete(await run(ns, 'generate-solve-event'));
      const events = await listEvents(e.t.db, ns, { offset: 0, limit: 10 });
      expect(events.items.map((ev) => [ev.type, ev.source])).toEqual([['solveexpressioncloudevent', 'Direktiv']]);
    },

    async 'v03-tpl-getter-and-setter.yaml'(ns) {
      await deploy(ns, 'v03-tpl-getter-and-setter.yaml');
      expect(complete(await run(ns, 'getter-and-setter')).output).toMatchObject({ newCounter: 1 });
      expect(complete(await run(ns, 'getter-and-setter')).output).toMatchObject({ newCounter: 2 });
    },

    async 'v03-tpl-noop.yaml'(ns) {
      await deploy(ns, 'v03-tpl-noop.yaml');
      expect(complete(await run(ns, 'noop')).output).toEqual({ result: 'Hello world!' });
    },

    async 'v03-tpl-parallel.yaml'(ns) {
      await deploy(ns, 'v03-tpl-parallel.yaml');
      expect(complete(await run(ns, 'parallel')).output).toEqual({ return: [20, 0, 8, 12] });
    },

    async 'v03-tpl-switch.yaml'(ns) {
      await deploy(ns, 'v03-tpl-switch.yaml');
      const done = complete(await run(ns, 'switch'));
      expect(done.flow).toEqual(['data', 'check', 'olderthan18']);
      expect(done.output).toEqual({ result: 'You are older than 18.' });
    },

    async 'v03-tpl-validate.yaml'(ns) {
      await deploy(ns, 'v03-tpl-validate.yaml');
      expect(complete(await run(ns, 'validate')).output).toEqual({ result: 'Email is valid.' });
    },

    async 'v04-counter-getter-setter.yaml'(ns) {
      await deploy(ns, 'v04-counter-getter-setter.yaml');
      expect(complete(await run(ns, 'counter')).output).toEqual({ var: { x: 1 } });
      expect(complete(await run(ns, 'counter')).output).toEqual({ var: { x: 2 } });
    },

    async 'v04-gcp-logger-instancelog-event.yaml'(ns) {
      await deploy(ns, 'v04-gcp-logger-instancelog-event.yaml');
      // A workflow whose log lines go out as direktiv.instanceLog events with logger gcpLogger.
      await e.deploy(ns, `id: noisy
states:
- id: a
  type: noop
  log: jq(.note)
`);
      await e.t.db.tx((q) => workflows.changeSettings(q, ns, 'noisy', { logToEvents: 'gcpLogger' }));
      complete(await run(ns, 'noisy', { note: 'disk almost full' }));
      const started = await e.engine.listInstances({ namespace: ns, workflow: 'gcp-logger', offset: 0, limit: 10 });
      expect(started.total).toBe(1);
      const done = complete(await end(started.items[0]!.id));
      expect(done.output).toMatchObject({
        return: { logged: true, logName: 'projects/direktiv/logs/direktiv-log', message: 'disk almost full' },
      });
      expect(await logOf(done)).toContain('Would write to projects/direktiv/logs/direktiv-log: disk almost full');
    },

    async 'v04-httpget-secret-in-string.yaml'(ns) {
      await deploy(ns, 'v04-httpget-secret-in-string.yaml');
      const before = requestsTo('/jsonplaceholder.typicode.com/todos/1').length;
      const done = complete(await run(ns, 'httpget'));
      expect(done.output).toMatchObject({ return: { status: 200, body: TODO } });
      const sent = requestsTo('/jsonplaceholder.typicode.com/todos/1').slice(before);
      expect(sent.map((r) => [r.method, r.headers.authorization, r.headers['content-type']])).toEqual([
        ['GET', `bearer ${SECRETS.secretToken}`, 'application/json; charset=UTF-8'],
      ]);
    },

    async 'v04-listen-for-email-event-secrets.yaml'(ns) {
      await deploy(ns, 'v04-listen-for-email-event-secrets.yaml');
      const accepted = await acceptEvents(e.t.db, e.engine, ns, [event('smtp', {}, { from: 'customer@example.com' })]);
      expect(accepted.started).toHaveLength(1);
      const done = complete(await end(accepted.started[0]!));
      // The stand-in inbox holds a complaint: Negative, so the workflow answers it.
      expect(done.flow).toEqual(['read-email', 'sentiment-check', 'check-feeling', 'send-response']);
      expect(done.output).toMatchObject({
        return: { sent: true, to: [SECRETS.EMAIL_ADDRESS], subject: 'I dont appreciate your message', server: 'smtp.gmail.com:587' },
      });
      const log = await logOf(done);
      expect(log).toContain('Text being checked: Hello, I am very disappointed');
      expect(log).toContain('Would send mail from');
      expect(log).not.toContain(SECRETS.EMAIL_PASSWORD);
    },

    async 'v04-transitioner-jq.yaml'(ns) {
      await deploy(ns, 'v04-transitioner-jq.yaml');
      const done = complete(await run(ns, 'transitioner'));
      expect(done.flow).toEqual(['a', 'b', 'c', 'd']);
      expect(done.output).toEqual({ k1: 'v1' });
    },

    async [INVALID](ns) {
      const yaml = readExample(INVALID);
      const err: unknown = await e.t.db
        .tx(async (q) => {
          await namespaces.create(q, ns);
          return workflows.create(q, ns, yaml);
        })
        .catch((x: unknown) => x);
      expect(err).toBeInstanceOf(workflows.WorkflowInvalidError);
      expect((err as workflows.WorkflowInvalidError).problems).toEqual([
        {
          path: 'states[5].action.function',
          line: 67,
          column: 15,
          message: 'undefined function "notifier"; defined functions: select, insert, delete, cruncher, notify',
        },
      ]);
      // Repaired, it runs on its stand-ins as its cron would start it.
      await e.deploy(ns, yaml.replace('function: notifier', 'function: notify'));
      const { instanceId } = await e.engine.execute({ namespace: ns, workflow: 'unreliable', input: undefined, invokedBy: { kind: 'cron' } });
      const done = complete(await end(instanceId));
      expect(done.flow).toEqual(['select-rows', 'crunch-numbers', 'store-some-results', 'store-other-results']);
      expect(done.output).toMatchObject({ return: { table: 'sensors', inserted: 3 } });
    },

    async 'v04-website-change-cron-vars.yaml'(ns) {
      await deploy(ns, 'v04-website-change-cron-vars.yaml');
      const flow = ['fetch-site-headers', 'get-old-headers', 'check-site', 'save-values'];
      // First look: nothing stored yet, so the site changed.
      site.etag = '"v1"';
      const first = complete(await run(ns, 'a-cron-example'));
      expect(first.flow).toEqual(flow);
      expect(first.output).toMatchObject({ etag: '"v1"', lastModified: LAST_MODIFIED, siteChanged: true });
      // Same headers again: unchanged.
      expect(complete(await run(ns, 'a-cron-example')).output).toMatchObject({ etag: '"v1"', siteChanged: false });
      // A new Etag: changed.
      site.etag = '"v2"';
      expect(complete(await run(ns, 'a-cron-example')).output).toMatchObject({ etag: '"v2"', siteChanged: true });
    },
  };

  it('every image the examples name has a stand-in, and every stand-in was built', () => {
    const images = new Set(exampleNames().flatMap((n) => imagesOf(readExample(n))));
    expect([...images].sort()).toEqual(Object.keys(STANDINS).sort());
    expect([...built].sort()).toEqual(Object.keys(STANDINS).sort());
  });

  for (const name of exampleNames()) {
    it(
      name,
      async () => {
        const scenario = SCENARIOS[name];
        if (!scenario) throw new Error(`no scenario for ${name}: add one to SCENARIOS`);
        await scenario(name.replace(/\.yaml$/, ''));
      },
      IT_MS,
    );
  }
});
