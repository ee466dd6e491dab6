/**
 * The composition root: one process running the components `-t` names, wired from the config.
 * Start order: secrets database → main database (migrated) → secrets client → engine → API →
 * secrets service; stop order is the reverse, and the engine drains (running state logic
 * finishes and commits) before the databases close.
 */
import pino from 'pino';
import type { Logger } from 'pino';
import { buildApp, startServer } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { DEFAULT_SETTINGS, Engine } from '../engine/index.js';
import type { EngineSettings } from '../engine/index.js';
import { installEventHooks, startEventRetention } from '../events/index.js';
import { CronTicker, installCronHooks } from '../timers/index.js';
import type { Secrets } from '../secrets/index.js';
import { serverTls } from '../util/certs.js';
import { eventBus, eventsApi, flowLink, noActionService, noSecretsService, registryLogins, secretsProvider, variableStore, workflowCatalog } from './adapters.js';
import type { ActionService } from '../engine/index.js';
import { actionsProblem, remoteActions, startActionService, startRunner } from './actions.js';
import { describeDatabase, openDatabase } from './database.js';
import { ensureApiKey, isLoopback } from './generated.js';
import { flowSecrets, openSecretsDatabase, startSecretsService } from './secrets.js';


export interface Running {
  /** The flow component (w), when this process runs it: main database, engine, public API. */
  flow?: {
    db: Db;
    engine: Engine;
    /** absent when this node has no secrets service to use */
    secrets?: Secrets;
    /** the address the public API listens on */
    url: string;
    apiKey?: string;
  };
  /** The secrets service (s), when this process serves it. */
  secretsService?: { url: string };
  /** The action service (i) on its own (without w), when this process serves it. */
  actionService?: { url: string };
  stop(): Promise<void>;
}

export function engineSettings(config: Config): EngineSettings {
  const e = config.engine;
  return {
    workers: e.workers,
    subflowDepth: e.subflowDepth,
    interruptMs: e.interruptTimeoutMs,
    killMs: e.killTimeoutMs,
    stateTimeoutMs: e.stateTimeoutMs,
    retentionMs: e.retentionMs,
    jqTimeoutMs: e.jqTimeoutMs,
    pollMs: e.pollIntervalMs,
    chainLimit: DEFAULT_SETTINGS.chainLimit,
    logsToDatabase: config.instanceLogging.driver === 'database',
  };
}

/** Things to undo on stop or on a failed start, last opened first. */
class Closers {
  private readonly list: Array<() => unknown> = [];
  add(fn: () => unknown): void {
    this.list.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.list.splice(0).reverse()) await fn();
  }
}

/**
 * `-t s` or `-t i` without `w`: whether the main database must be opened for the token the flow
 * nodes present. Not when it is configured or when mutual TLS needs none; else it is generated
 * into the main database they share, which must then be PostgreSQL.
 */
function serviceNeedsMainDb(config: Config, c: 's' | 'i'): boolean {
  const [token, certs, section, env] =
    c === 's'
      ? [config.secrets.token, 'secrets', 'secretsAPI', 'DIREKTIV_SECRETS_TOKEN']
      : [config.isolate.token, 'isolate', 'isolateAPI', 'DIREKTIV_ISOLATE_TOKEN'];
  if (token || serverTls(config.certs, certs as 'secrets' | 'isolate')?.requestCert) return false;
  if (config.database.kind === 'pglite') {
    throw new Error(
      `-t ${c} without w: configure [${section}] Token (${env}), the same on the flow nodes, or [Certs] with a ca.pem; ` +
        'with an embedded main database no token can be shared through it',
    );
  }
  return true;
}

export async function startDirektiv(config: Config, logger: Logger = pino()): Promise<Running> {
  const wanted = new Set(config.components);
  const unavailable: string[] = [];
  const actionsRefused = wanted.has('i') ? actionsProblem(config) : undefined;
  if (actionsRefused && !wanted.has('w')) throw new Error(actionsRefused);
  if (actionsRefused) unavailable.push(actionsRefused);
  for (const u of unavailable) logger.warn(u);
  for (const w of config.warnings) logger.warn(w);

  // Checked before anything is opened, so a refused start leaves nothing behind.
  const alone = !wanted.has('w');
  const borrowMainDb = alone && ((wanted.has('s') && serviceNeedsMainDb(config, 's')) || (wanted.has('i') && serviceNeedsMainDb(config, 'i')));

  const closers = new Closers();
  try {
    const running: Running = { stop: () => closers.run() };
    const settings = engineSettings(config);
    // Both embedded databases start in parallel (each PGlite takes seconds on a first start);
    // if one fails, the other is closed again.
    const [sec, main] = await Promise.allSettled([
      wanted.has('s') ? openSecretsDatabase(config, logger) : undefined,
      wanted.has('w') ? openMainDatabase(config, settings, logger) : undefined,
    ]);
    const opened = (r: PromiseSettledResult<Db | undefined>): Db | undefined => {
      if (r.status === 'rejected') return undefined;
      const db = r.value;
      if (db) closers.add(() => db.close());
      return db;
    };
    const secretsDb = opened(sec);
    const mainDb = opened(main);
    for (const r of [sec, main]) if (r.status === 'rejected') throw r.reason;

    if (mainDb) running.flow = await startFlow(config, settings, logger, closers, mainDb, secretsDb, unavailable);

    // Without w, the main database is opened only to read the shared token.
    const borrowed = borrowMainDb
      ? await openDatabase(config.database, 1, (err) => logger.error({ err }, 'database connection error'))
      : undefined;
    try {
      if (secretsDb) {
        const service = await startSecretsService(config, secretsDb, running.flow?.db ?? borrowed, logger);
        closers.add(() => service.close());
        running.secretsService = { url: service.url };
      }
      if (wanted.has('i') && alone) {
        const service = await startActionService(config, borrowed, logger);
        closers.add(() => service.stop());
        running.actionService = { url: service.url };
      }
    } finally {
      await borrowed?.close();
    }

    let stopping: Promise<void> | undefined;
    const flow = running.flow;
    running.stop = () => {
      // Requests waiting for an instance answer now (202 with its id) rather than hold the close.
      flow?.engine.releaseWaiters();
      stopping ??= closers.run();
      return stopping;
    };
    return running;
  } catch (err) {
    await closers.run();
    throw err;
  }
}

async function openMainDatabase(config: Config, settings: EngineSettings, logger: Logger): Promise<Db> {
  const db = await openDatabase(config.database, settings.workers + 4, (err) => logger.error({ err }, 'database connection error'));
  logger.info(`database: ${describeDatabase(config.database)}`);
  return db;
}

async function startFlow(
  config: Config,
  settings: EngineSettings,
  logger: Logger,
  closers: Closers,
  db: Db,
  secretsDb: Db | undefined,
  unavailable: string[],
): Promise<NonNullable<Running['flow']>> {

  const flowSide = await flowSecrets(config, db, secretsDb, logger);
  if (flowSide) closers.add(() => flowSide.close());
  const secrets = flowSide?.secrets;
  const link = flowLink(() => engine, registryLogins(config.flow.registry, secrets));
  let actions: ActionService = noActionService;
  let actionsProblem: (() => Promise<string | undefined>) | undefined;
  if (config.components.includes('i')) {
    const refused = unavailable.find((u) => u.includes('(i)'));
    if (refused) actions = { ...noActionService, unavailableReason: refused };
    else {
      // A node without a working container engine still runs workflows; their function calls fail, saying why.
      try {
        const runner = await startRunner(config, link, logger);
        closers.add(() => runner.stop());
        actions = runner;
        actionsProblem = () => runner.problem();
      } catch (err) {
        const why = (err as Error).message;
        unavailable.push(why);
        logger.error(why);
        actions = { ...noActionService, unavailableReason: why };
      }
    }
  } else if (config.isolate.endpoint) {
    const remote = await remoteActions(config, db, link, () => engine, logger);
    closers.add(() => remote.stop());
    actions = remote.actions;
    actionsProblem = () => remote.actions.problem();
  }
  const engine: Engine = new Engine({
    db,
    settings,
    workflows: workflowCatalog,
    variables: variableStore,
    actions,
    secrets: secrets ? secretsProvider(secrets) : noSecretsService,
    events: eventBus(() => engine),
    logger,
  });

  const bind = config.ingress.bind;
  let apiKey = config.ingress.key;
  if (!apiKey && !isLoopback(bind.host) && !config.ingress.insecure) {
    const k = await ensureApiKey(db);
    apiKey = k.key;
    if (k.created) logger.warn(`generated an API key for the public API on ${bind.host}: ${apiKey} (shown once)`);
    else logger.info('API key required (the one generated on first start, kept in the database)');
  }

  installEventHooks();
  installCronHooks();
  await engine.start();
  const ticker = new CronTicker({ db, starter: engine, logger, catchUpMs: config.engine.cronCatchUpMs, pollMs: settings.pollMs });
  ticker.start();
  closers.add(() => ticker.stop());
  const stopEventRetention = startEventRetention(db, config.engine.eventRetentionMs, (err) => logger.error({ err }, 'event retention sweep failed'));
  closers.add(() => stopEventRetention());
  const app = buildApp({
    ...(actionsProblem ? { actionsProblem } : {}),
    db,
    engine,
    events: eventsApi(db, engine),
    ...(secrets ? { secrets } : {}),
    logger,
    config: {
      apiKey,
      bodyLimit: config.ingress.bodyLimit,
      maxWaitMs: config.engine.maxWaitMs,
      defaultWaitMs: config.engine.defaultWaitMs,
      components: { w: true, i: config.components.includes('i'), s: config.components.includes('s') },
      insecure: config.ingress.insecure && !apiKey,
      unavailable,
    },
  });
  // The workers stop taking work while the API finishes its requests.
  closers.add(() => Promise.all([app.close(), engine.stop()]));
  const listening = await startServer(app, bind);
  // Name the address as bound (0.0.0.0 when public), not the first local address listen() reports.
  const url = `http://${bind.host.includes(':') ? `[${bind.host}]` : bind.host}:${new URL(listening).port}`;
  logger.info(`API listening on ${url}`);
  return { db, engine, url, ...(secrets ? { secrets } : {}), ...(apiKey ? { apiKey } : {}) };
}
