/**
 * An engine on a fresh test database, with helpers to deploy workflows and run instances the
 * way the API does (through the real workflows module and the real engine).
 */
import pino from 'pino';
import { Engine, DEFAULT_SETTINGS } from '../../src/engine/index.js';
import type { ActionService, EngineSettings, InstanceDetail, SecretsProvider } from '../../src/engine/index.js';
import { Codes, WorkflowError } from '../../src/language/index.js';
import type { Value } from '../../src/jq/index.js';
import * as namespaces from '../../src/namespaces/index.js';
import * as logs from '../../src/logs/index.js';
import { eventBus, noActionService, variableStore, workflowCatalog } from '../../src/server/adapters.js';
import * as workflows from '../../src/workflows/index.js';
import { createTestDb } from './db.js';
import type { Backend, TestDb } from './db.js';

/** Secrets as a namespace without any: every name is missing (what the real provider says then). */
export const emptySecrets: SecretsProvider = {
  resolve: (namespace, names) =>
    Promise.reject(new WorkflowError(Codes.secretsNotFound, `secret '${names[0]}' not found in namespace '${namespace}'`, false)),
};

export interface TestEngine {
  t: TestDb;
  engine: Engine;
  /** creates the namespace if needed, then the workflow (or a new revision of it) */
  deploy(ns: string, yaml: string): Promise<void>;
  /** executes and waits for the end */
  run(ns: string, wf: string, input?: Value | Buffer, timeoutMs?: number): Promise<InstanceDetail>;
  logLines(instanceId: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startTestEngine(
  backend: Backend,
  settings: Partial<EngineSettings> = {},
  ports: { actions?: ActionService; secrets?: SecretsProvider } = {},
): Promise<TestEngine> {
  const t = await createTestDb(backend);
  const engine: Engine = new Engine({
    db: t.db,
    settings: { ...DEFAULT_SETTINGS, pollMs: 200, ...settings },
    workflows: workflowCatalog,
    variables: variableStore,
    actions: ports.actions ?? noActionService,
    secrets: ports.secrets ?? emptySecrets,
    events: eventBus(() => engine),
    logger: pino({ level: 'silent' }),
  });
  await engine.start();
  return {
    t,
    engine,
    async deploy(ns, yaml) {
      await t.db.tx(async (q) => {
        if (!(await namespaces.exists(q, ns))) await namespaces.create(q, ns);
        const id = /^id:\s*(\S+)/m.exec(yaml)?.[1];
        if (id && (await workflows.findByName(q, ns, id))) await workflows.update(q, ns, id, yaml);
        else await workflows.create(q, ns, yaml);
      });
    },
    async run(ns, wf, input, timeoutMs = 20_000) {
      const { instanceId } = await engine.execute({
        namespace: ns,
        workflow: wf,
        input: input === undefined ? undefined : Buffer.isBuffer(input) ? input : Buffer.from(JSON.stringify(input)),
        invokedBy: { kind: 'api' },
      });
      const done = await engine.waitForEnd(instanceId, timeoutMs);
      if (!done) throw new Error(`instance ${instanceId} did not end within ${timeoutMs} ms`);
      return done;
    },
    async logLines(instanceId) {
      const r = await logs.read(t.db, { instanceId }, { offset: 0, limit: 1000 });
      return r.items.map((l) => l.msg);
    },
    async stop() {
      await engine.stop();
      await t.drop();
    },
  };
}
