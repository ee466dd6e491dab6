/**
 * Secrets in a process: the flow side (the Secrets the engine and the API use) and the secrets
 * service (`s`). In one process the flow side calls the secrets database directly; apart, it
 * calls the service over HTTP(S) at `[secretsAPI] Endpoint` (default: its Bind address).
 */
import type { Logger } from 'pino';
import type { Bind, Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { Secrets, buildSecretsService, httpBackend, localBackend, migrateSecretsDb } from '../secrets/index.js';
import { clientTls, serverTls } from '../util/certs.js';
import { describeDatabase, openDatabase } from './database.js';
import { componentToken } from './generated.js';
import { loadKeyring, unknownMasterKeys } from './keyring.js';

/** How a component reaches a bound address when no endpoint is configured. */
export function endpointOf(bind: Bind): string {
  const host = bind.host === '0.0.0.0' ? '127.0.0.1' : bind.host === '::' ? '::1' : bind.host;
  return `${host.includes(':') ? `[${host}]` : host}:${bind.port}`;
}

export async function openSecretsDatabase(config: Config, logger: Logger): Promise<Db> {
  const db = await openDatabase(
    config.secrets.db,
    8,
    (err) => logger.error({ err }, 'secrets database connection error'),
    migrateSecretsDb,
  );
  logger.info(`secrets database: ${describeDatabase(config.secrets.db)}`);
  return db;
}

export interface FlowSecrets {
  secrets: Secrets;
  close(): void;
}

/**
 * The address of the secrets service a flow node without `s` uses: `[secretsAPI] Endpoint`, or
 * its Bind address when `[secretsAPI] DB` says a secrets service is part of the deployment.
 * Undefined: none (the service is optional).
 */
export function secretsEndpoint(config: Config): string | undefined {
  if (config.secrets.endpoint) return config.secrets.endpoint;
  return config.secrets.db.kind === 'postgres' ? endpointOf(config.secrets.bind) : undefined;
}

/**
 * The flow side, or undefined when this node has no secrets service to use. `local`: the
 * secrets database when this process runs the secrets service too.
 */
export async function flowSecrets(config: Config, mainDb: Db, local: Db | undefined, logger: Logger): Promise<FlowSecrets | undefined> {
  const endpoint = secretsEndpoint(config);
  if (!local && !endpoint) {
    logger.info('secrets: no secrets service configured ([secretsAPI] Endpoint); actions that name secrets fail with direktiv.secrets.unavailable');
    return undefined;
  }
  const keyring = loadKeyring(config, logger);
  const unknown = await unknownMasterKeys(mainDb, keyring);
  if (unknown.length > 0) {
    logger.error(
      `secrets: namespace keys wrapped by master key(s) ${unknown.join(', ')} cannot be read by this node; ` +
        'configure that key as [secretsAPI] Key or PreviousKeys',
    );
  }
  const defaultRegistry = config.flow.registry;
  if (local) {
    return { secrets: new Secrets({ mainDb, backend: localBackend(local), keyring, defaultRegistry }), close: () => {} };
  }
  const tls = clientTls(config.certs, 'flow');
  const backend = httpBackend(endpoint!, (await componentToken(config.secrets.token, mainDb))!, tls ? { tls } : {});
  logger.info(`secrets: the secrets service at ${endpoint}${tls ? ' (TLS)' : ''}`);
  return { secrets: new Secrets({ mainDb, backend, keyring, defaultRegistry }), close: () => backend.close() };
}

export interface SecretsService {
  url: string;
  close(): Promise<void>;
}

/**
 * The secrets service on `[secretsAPI] Bind`. Callers authenticate with a client certificate
 * (`[Certs]` with a CA) or with the component token: configured, or generated into the main
 * database (`mainDb`, when this process has it).
 */
export async function startSecretsService(config: Config, db: Db, mainDb: Db | undefined, logger: Logger): Promise<SecretsService> {
  const tls = serverTls(config.certs, 'secrets');
  const token = await componentToken(config.secrets.token, mainDb);
  const app = buildSecretsService({ db, logger, ...(token ? { token } : {}), ...(tls ? { tls } : {}) });
  const { host, port } = config.secrets.bind;
  const listening = await app.listen({ host, port });
  const url = `${tls ? 'https' : 'http'}://${endpointOf({ host, port: Number(new URL(listening).port) })}`;
  logger.info(
    `secrets service listening on ${url} (${tls?.requestCert ? 'mutual TLS' : tls ? 'TLS and token' : 'token'} authentication)`,
  );
  return { url, close: () => app.close() };
}
