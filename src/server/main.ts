/**
 * The composition root: one process running the components `-t` names, wired from the config.
 * Start order: database (migrated) → engine → API; stop order is the reverse, and the engine
 * drains (running state logic finishes and commits) before the database closes.
 */
import pino from 'pino';
import type { Logger } from 'pino';
import { buildApp, startServer } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { DEFAULT_SETTINGS, Engine } from '../engine/index.js';
import type { EngineSettings } from '../engine/index.js';
import { ensureApiKey, isLoopback } from './apikey.js';
import { noActionService, noSecrets, variableStore, workflowCatalog } from './adapters.js';
import { NOT_YET, nothingToRun } from './components.js';
import { openDatabase } from './database.js';


export interface Running {
  db: Db;
  engine: Engine;
  /** the address the public API listens on */
  url: string;
  apiKey?: string;
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

export async function startDirektiv(config: Config, logger: Logger = pino()): Promise<Running> {
  const wanted = new Set(config.components);
  const refused = nothingToRun(wanted);
  if (refused) throw new Error(refused);
  const unavailable = (['i', 's'] as const).filter((c) => wanted.has(c)).map((c) => NOT_YET[c]!);
  for (const u of unavailable) logger.warn(u);
  for (const w of config.warnings) logger.warn(w);

  const settings = engineSettings(config);
  const db = await openDatabase(config.database, settings.workers + 4, (err) =>
    logger.error({ err }, 'database connection error'),
  );
  logger.info(
    config.database.kind === 'pglite'
      ? `database: embedded PGlite in ${config.database.path}`
      : `database: PostgreSQL at ${config.database.connection.host ?? 'localhost'}:${config.database.connection.port ?? 5432}`,
  );
  const engine = new Engine({
    db,
    settings,
    workflows: workflowCatalog,
    variables: variableStore,
    actions: noActionService,
    secrets: noSecrets,
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

  await engine.start();
  const app = buildApp({
    db,
    engine,
    logger,
    config: {
      apiKey,
      bodyLimit: config.ingress.bodyLimit,
      maxWaitMs: config.engine.maxWaitMs,
      defaultWaitMs: config.engine.defaultWaitMs,
      components: { w: true, i: wanted.has('i'), s: wanted.has('s') },
      insecure: config.ingress.insecure && !apiKey,
      unavailable,
    },
  });
  let url: string;
  try {
    url = await startServer(app, bind);
  } catch (err) {
    await engine.stop();
    await db.close();
    throw err;
  }
  // Name the address as bound (0.0.0.0 when public), not the first local address listen() reports.
  url = `http://${bind.host.includes(':') ? `[${bind.host}]` : bind.host}:${new URL(url).port}`;
  logger.info(`API listening on ${url}`);

  let stopping: Promise<void> | undefined;
  return {
    db,
    engine,
    url,
    apiKey,
    stop() {
      stopping ??= (async () => {
        // Requests waiting for an instance answer now (202 with its id) rather than hold the close.
        engine.releaseWaiters();
        // The workers stop taking work while the API finishes its requests.
        await Promise.all([app.close(), engine.stop()]);
        await db.close();
      })();
      return stopping;
    },
  };
}
