/**
 * What the actions benchmark needs around the code it measures: a `podman system service` of its
 * own (as test/helpers/podman.ts starts it), a small function image built offline, and an engine
 * on PostgreSQL with the in-process action runner (as `direktiv -t wi` and the tests wire them).
 * The runner's flow link hands results of calls the bench dispatched itself to the bench, and
 * every other result to the engine. A timer on the Docker API client shows where a call's time
 * goes on the engine side.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import type pg from 'pg';
import pino from 'pino';
import { ActionRunner, buildNodeImage } from '../src/actions/index.js';
import { CONTAINERS_CONF, startPodmanService } from '../src/actions/podman-service.js';
import type { PodmanService } from '../src/actions/podman-service.js';
import type { CallResult, FlowLink, RunnerOptions } from '../src/actions/index.js';
import { openPostgres } from '../src/db/index.js';
import type { Db } from '../src/db/index.js';
import { DEFAULT_SETTINGS, Engine } from '../src/engine/index.js';
import type { InstanceDetail } from '../src/engine/index.js';
import { Codes, WorkflowError } from '../src/language/index.js';
import * as namespaces from '../src/namespaces/index.js';
import { eventBus, flowLink, variableStore, workflowCatalog } from '../src/server/adapters.js';
import * as workflows from '../src/workflows/index.js';

const run = promisify(execFile);

/** The environment for the podman CLI, so it runs containers as the service does. */
export const podmanEnv = (): NodeJS.ProcessEnv => ({ ...process.env, CONTAINERS_CONF });

/** Why Podman cannot be used, or undefined when it can. */
export async function podmanProblem(): Promise<string | undefined> {
  try {
    await run('podman', ['--version']);
    return undefined;
  } catch (err) {
    return `podman unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export { startPodmanService as startPodman };
export type { PodmanService };

/** The function every measurement calls: answers its input's `n` at once, writes nothing. */
const ECHO = `import { serve } from './sdk/index.mjs';
serve(async (input) => ({ n: input && typeof input === 'object' ? input.n : null }));
`;

export const BENCH_IMAGE = 'localhost/direktiv-bench/echo:v1';

/** Builds BENCH_IMAGE from this machine's Node.js (it stays tagged for the next run); returns the seconds taken. */
export async function buildBenchImage(docker: Dockerode): Promise<number> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'direktiv-bench-fn-'));
  try {
    writeFileSync(join(dir, 'index.mjs'), ECHO);
    await buildNodeImage(docker, { tag: BENCH_IMAGE, sourceDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return (performance.now() - t0) / 1000;
}

/** Secrets as a namespace without any (the bench's workflows use none). */
const noSecrets = {
  resolve: (namespace: string, names: string[]) =>
    Promise.reject(new WorkflowError(Codes.secretsNotFound, `secret '${names[0]}' not found in namespace '${namespace}'`, false)),
};

export interface ActionsSystem {
  engine: Engine;
  runner: ActionRunner;
  db: Db;
  /** the runner's node id: every container it starts carries the label direktiv.node=<id> */
  nodeId: string;
  /** creates the namespace if needed, then the workflow */
  deploy(ns: string, yaml: string): Promise<void>;
  /** executes and waits for the end; an instance that did not complete is an error */
  run(ns: string, wf: string, input: unknown): Promise<InstanceDetail>;
  /** the result of a call the bench dispatches itself (by action id), when the runner reports it */
  expectReport(actionId: string): Promise<CallResult>;
  stop(): Promise<void>;
}

/** The engine on `connection` with an ActionRunner as its action service, as `direktiv -t wi` wires them. */
export async function startActionsSystem(docker: Dockerode, connection: pg.ClientConfig, runnerOptions: Partial<RunnerOptions> = {}): Promise<ActionsSystem> {
  const workDir = mkdtempSync(join(tmpdir(), 'direktiv-bench-actions-'));
  const db = await openPostgres({ connection, poolSize: 10 });
  const reports = new Map<string, (r: CallResult) => void>();
  // Read late: the engine is built with the runner.
  let engine: Engine | undefined;
  const toEngine = flowLink(() => engine!, () => Promise.resolve(undefined));
  const link: FlowLink = {
    ...toEngine,
    report(call, result) {
      const waiting = reports.get(call.actionId);
      if (!waiting) return toEngine.report(call, result);
      reports.delete(call.actionId);
      waiting(result);
      return Promise.resolve();
    },
  };
  const runner = new ActionRunner({ docker, link, logger: pino({ level: 'silent' }), workDir, ...runnerOptions });
  try {
    await runner.start();
    engine = new Engine({
      db,
      settings: DEFAULT_SETTINGS,
      workflows: workflowCatalog,
      variables: variableStore,
      actions: runner,
      secrets: noSecrets,
      events: eventBus(() => engine!),
      logger: pino({ level: 'silent' }),
    });
    await engine.start();
  } catch (err) {
    await runner.stop().catch(() => undefined);
    await db.close();
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
  const started = engine;
  return {
    engine: started,
    runner,
    db,
    nodeId: readFileSync(join(workDir, 'node-id'), 'utf8').trim(),
    async deploy(ns, yaml) {
      await db.tx(async (q) => {
        if (!(await namespaces.exists(q, ns))) await namespaces.create(q, ns);
        await workflows.create(q, ns, yaml);
      });
    },
    async run(ns, wf, input) {
      const { instanceId } = await started.execute({ namespace: ns, workflow: wf, input: Buffer.from(JSON.stringify(input)), invokedBy: { kind: 'api' } });
      const done = await started.waitForEnd(instanceId, 120_000);
      if (done?.status !== 'complete') throw new Error(`instance ${instanceId} of ${wf} did not complete: ${JSON.stringify(done)}`);
      return done;
    },
    expectReport(actionId) {
      return new Promise((resolve) => reports.set(actionId, resolve));
    },
    async stop() {
      try {
        await started.stop();
      } finally {
        try {
          // Removes the warm containers.
          await runner.stop();
        } finally {
          await db.close();
          rmSync(workDir, { recursive: true, force: true });
        }
      }
    },
  };
}

/** One Docker API request: its method and path (ids as `{id}`), sent and answered at. */
export interface ApiCall {
  what: string;
  t0: number;
  t1: number;
}

/**
 * Records the Docker API requests a client sends while `on` (dockerode sends every one through
 * `modem.dial`), to show where an isolated call's time goes without touching the runner.
 */
export class ApiRecorder {
  on = false;
  calls: ApiCall[] = [];

  constructor(docker: Dockerode) {
    type Dial = (options: { method?: string; path?: string }, callback: (...args: unknown[]) => void) => unknown;
    const modem = docker.modem as unknown as { dial: Dial };
    const dial = modem.dial.bind(modem);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const rec = this;
    modem.dial = (options, callback) => {
      if (!rec.on) return dial(options, callback);
      const what = `${options.method ?? 'GET'} ${(options.path ?? '').replace(/\?.*$/, '').replace(/\/[0-9a-f]{64}(?=\/|$)/, '/{id}')}`;
      const t0 = performance.now();
      return dial(options, (...args: unknown[]) => {
        rec.calls.push({ what, t0, t1: performance.now() });
        callback(...args);
      });
    };
  }

  take(): ApiCall[] {
    return this.calls.splice(0);
  }
}
