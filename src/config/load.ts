/**
 * loadConfig: the config file (optional), then the environment over it, read through the key
 * table of keys.ts into a validated, deep-frozen Config.
 *
 * Nothing is required to start: with no file and no environment, every component runs with
 * its defaults on embedded PGlite databases under ./data. Requirements come from combinations:
 * an action service without a flow component in the same process needs `[flowAPI] Endpoint`,
 * and one with `Isolation = "vorteil"` needs `[Minio] Endpoint, User, Password`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDuration } from './durations.js';
import { ConfigError } from './errors.js';
import { collectEnv, collectFile, Reader, type Entry } from './entries.js';
import type { ConfigKey } from './keys.js';
import { parseConnectionString } from './libpq.js';
import { parseConfigToml } from './toml.js';
import type { Bind, Component, Config, DbConfig, Isolation, LogDriver } from './types.js';
import {
  Invalid,
  readBind,
  readBool,
  readDuration,
  readEndpoint,
  readEnum,
  readInt,
  readSize,
  readString,
} from './values.js';

export interface LoadOptions {
  /** The config file (`-c`); relative to `cwd`. Without it: defaults and environment only. */
  readonly file?: string;
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The components this process runs (from parseArgs). */
  readonly components: Iterable<Component>;
  /** Base of relative paths (the file, `[Database] Path`, `[Certs] Directory`); defaults to process.cwd(). */
  readonly cwd?: string;
}

const COMPONENT_ORDER: readonly Component[] = ['w', 'i', 's'];
const MINUTE = 60_000;

export function loadConfig(options: LoadOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const wanted = new Set(options.components);
  for (const c of wanted) {
    if (!COMPONENT_ORDER.includes(c)) throw new ConfigError(`unknown component "${String(c)}"`);
  }
  const components = COMPONENT_ORDER.filter((c) => wanted.has(c));
  if (components.length === 0) throw new ConfigError('no component to run: give -t one or more of w, i, s');

  const warnings: string[] = [];
  const entries = new Map<ConfigKey, Entry>();
  let file: string | undefined;
  let fileOrigin: string | undefined;
  if (options.file !== undefined) {
    file = resolve(cwd, options.file);
    fileOrigin = `config ${options.file}`;
    const doc = parseConfigToml(readConfigFile(file, fileOrigin), fileOrigin);
    collectFile(doc, fileOrigin, entries, warnings);
  }
  collectEnv(env, entries, warnings);

  const r = new Reader(entries, fileOrigin);
  const path = (v: unknown) => resolve(cwd, readString(v));
  const db = (v: unknown): DbConfig => {
    try {
      return { kind: 'postgres', connection: parseConnectionString(readString(v)) };
    } catch (e) {
      if (e instanceof Invalid) throw e;
      throw new Invalid((e as Error).message);
    }
  };
  const endpoint = (section: string) => r.get(section, 'Endpoint', readEndpoint);

  // [Database]
  const dataDir = r.get('Database', 'Path', path) ?? resolve(cwd, 'data');
  const database = r.get('Database', 'DB', db) ?? { kind: 'pglite', path: join(dataDir, 'main') };

  // [flowAPI], [flowAPI.Registry]
  const registryName = r.get('flowAPI.Registry', 'Name', readString);
  const registryUser = r.get('flowAPI.Registry', 'User', readString);
  const registryToken = r.get('flowAPI.Registry', 'Token', readString);
  if (registryName === undefined && (registryUser !== undefined || registryToken !== undefined)) {
    r.fail('flowAPI.Registry', registryUser !== undefined ? 'User' : 'Token', 'needs [flowAPI.Registry] Name');
  }
  const flow = {
    bind: r.get('flowAPI', 'Bind', readBind) ?? { host: '127.0.0.1', port: 7777 },
    endpoint: endpoint('flowAPI'),
    registry:
      registryName === undefined ? undefined : { name: registryName, user: registryUser, token: registryToken },
  };

  // [ingressAPI]
  const ingress = {
    bind: r.get('ingressAPI', 'Bind', readBind) ?? { host: '127.0.0.1', port: 6666 },
    endpoint: endpoint('ingressAPI'),
    key: r.get('ingressAPI', 'Key', readString),
    insecure: r.get('ingressAPI', 'Insecure', readBool) ?? false,
    bodyLimit: r.get('ingressAPI', 'BodyLimit', readSize) ?? 32 * 1024 * 1024,
  };
  if (ingress.insecure && components.includes('w')) {
    warnings.push('[ingressAPI] Insecure = true: the public API accepts requests without an API key');
  }

  // [isolateAPI]
  const isolation = r.get('isolateAPI', 'Isolation', (v): Isolation => {
    if (typeof v === 'string' && v.trim().toLowerCase() === 'vm') return 'vorteil';
    return readEnum(v, ['container', 'vorteil']) as Isolation;
  });
  const isolate = {
    bind: r.get('isolateAPI', 'Bind', readBind) ?? { host: '127.0.0.1', port: 8888 },
    endpoint: endpoint('isolateAPI'),
    isolation: isolation ?? 'container',
    socket: r.get('isolateAPI', 'Socket', readString),
    network: r.get('isolateAPI', 'Network', readString) ?? 'slirp4netns',
    outbound: r.get('isolateAPI', 'Outbound', readBool) ?? true,
    maxScale: r.get('isolateAPI', 'MaxScale', (v) => readInt(v, 1)) ?? 4,
    idleTimeoutMs: r.get('isolateAPI', 'IdleTimeout', readDuration) ?? 5 * MINUTE,
    token: r.get('isolateAPI', 'Token', readString),
  };

  // [secretsAPI]
  const secretsDb = r.get('secretsAPI', 'DB', db);
  const secrets = {
    bind: r.get('secretsAPI', 'Bind', readBind) ?? { host: '127.0.0.1', port: 2610 },
    endpoint: endpoint('secretsAPI'),
    db: secretsDb ?? ({ kind: 'pglite', path: join(dataDir, 'secrets') } as DbConfig),
    key: r.get('secretsAPI', 'Key', readString),
    previousKeys: (r.get('secretsAPI', 'PreviousKeys', readString) ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
    token: r.get('secretsAPI', 'Token', readString),
  };

  const instanceLogging = {
    driver: (r.get('InstanceLogging', 'Driver', (v) => readEnum(v, ['database', 'stdout'])) ??
      'database') as LogDriver,
  };

  const minio = {
    endpoint: r.get('Minio', 'Endpoint', readEndpoint),
    user: r.get('Minio', 'User', readString),
    password: r.get('Minio', 'Password', readString),
    region: r.get('Minio', 'Region', readString),
    ssl: r.get('Minio', 'SSL', readBool) ?? false,
    secure: r.get('Minio', 'Secure', readBool) ?? false,
    encrypt: r.get('Minio', 'Encrypt', readString),
  };
  const kernel = { linux: r.get('Kernel', 'Linux', readString), runtime: r.get('Kernel', 'Runtime', readString) };
  const certs = {
    directory: r.get('Certs', 'Directory', (v) => {
      const dir = path(v);
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        isDir = false;
      }
      if (!isDir) throw new Invalid(`no such directory: ${dir}`);
      return dir;
    }),
    secure: r.get('Certs', 'Secure', readBool) ?? true,
  };

  // [Engine]
  const duration = (key: string, dflt: number) => r.get('Engine', key, readDuration) ?? dflt;
  const interruptTimeoutMs = duration('InterruptTimeout', 15 * MINUTE);
  const killTimeoutMs = duration('KillTimeout', interruptTimeoutMs + 5 * MINUTE);
  if (killTimeoutMs < interruptTimeoutMs) {
    r.fail('Engine', 'KillTimeout', `must be at least InterruptTimeout (${formatDuration(interruptTimeoutMs)})`);
  }
  const maxWaitMs = duration('MaxWait', 15 * MINUTE);
  const defaultWaitMs = duration('DefaultWait', Math.min(5 * MINUTE, maxWaitMs));
  if (defaultWaitMs > maxWaitMs) {
    r.fail('Engine', 'DefaultWait', `must not be longer than MaxWait (${formatDuration(maxWaitMs)})`);
  }
  const engine = {
    workers: r.get('Engine', 'Workers', (v) => readInt(v, 1)) ?? (database.kind === 'postgres' ? 8 : 4),
    subflowDepth: r.get('Engine', 'SubflowDepth', (v) => readInt(v, 1)) ?? 5,
    interruptTimeoutMs,
    killTimeoutMs,
    stateTimeoutMs: duration('StateTimeout', 15 * MINUTE),
    retentionMs: duration('Retention', 7 * 24 * 60 * MINUTE),
    jqTimeoutMs: duration('JqTimeout', 10_000),
    maxWaitMs,
    defaultWaitMs,
    pollIntervalMs: duration('PollInterval', 1000),
    cronCatchUpMs: duration('CronCatchUp', 60_000),
    eventRetentionMs: duration('EventRetention', 7 * 24 * 60 * MINUTE),
  };

  // What the chosen components need.
  const has = (c: Component) => components.includes(c);
  if (has('i') && !has('w') && flow.endpoint === undefined) {
    r.require('flowAPI', 'Endpoint', 'when the action service (-t i) runs without the flow component (w)');
  }
  if (has('i') && isolate.isolation === 'vorteil') {
    for (const key of ['Endpoint', 'User', 'Password'] as const) {
      if (minio[key.toLowerCase() as 'endpoint' | 'user' | 'password'] === undefined) {
        r.require('Minio', key, 'when [isolateAPI] Isolation is "vorteil"');
      }
    }
  }
  checkBinds(components, { flow, ingress, isolate, secrets }, r);
  if (has('w') && !has('i') && isolate.endpoint === undefined) {
    warnings.push('no action service: not run here (no i in -t) and no [isolateAPI] Endpoint; actions will fail');
  }
  if (has('w') && !has('s') && secrets.endpoint === undefined) {
    warnings.push('no secrets service: not run here (no s in -t) and no [secretsAPI] Endpoint; secrets unavailable');
  }
  if (has('s') && database.kind === 'postgres' && secrets.db.kind === 'pglite') {
    warnings.push(
      `secrets are kept in the embedded database ${secrets.db.path} while [Database] DB is PostgreSQL; ` +
        'set [secretsAPI] DB when more than one secrets service runs',
    );
  }
  if (database.kind === 'postgres' && secrets.db.kind === 'postgres' && sameDatabase(database, secrets.db)) {
    warnings.push('[secretsAPI] DB is the main database: keys and ciphertexts are not kept apart');
  }

  return deepFreeze({
    components,
    file,
    dataDir,
    database,
    flow,
    ingress,
    isolate,
    secrets,
    instanceLogging,
    minio,
    kernel,
    certs,
    engine,
    warnings,
  });
}

function readConfigFile(file: string, origin: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    throw new ConfigError(`${origin}: ${reason}`, { source: origin });
  }
}

/** Two components of this process must not listen on the same address. */
function checkBinds(
  components: readonly Component[],
  apis: { flow: { bind: Bind }; ingress: { bind: Bind }; isolate: { bind: Bind }; secrets: { bind: Bind } },
  r: Reader,
): void {
  const listening: { section: string; bind: Bind }[] = [];
  if (components.includes('w')) {
    listening.push({ section: 'flowAPI', bind: apis.flow.bind });
    listening.push({ section: 'ingressAPI', bind: apis.ingress.bind });
  }
  if (components.includes('i')) listening.push({ section: 'isolateAPI', bind: apis.isolate.bind });
  if (components.includes('s')) listening.push({ section: 'secretsAPI', bind: apis.secrets.bind });
  const wildcard = (h: string) => h === '0.0.0.0' || h === '::';
  for (let a = 0; a < listening.length; a++) {
    for (let b = a + 1; b < listening.length; b++) {
      const x = listening[a]!.bind;
      const y = listening[b]!.bind;
      if (x.port !== 0 && x.port === y.port && (x.host === y.host || wildcard(x.host) || wildcard(y.host))) {
        // Blame the one that was set (a default never clashes with another default).
        const [blamed, other] = r.isSet(listening[b]!.section, 'Bind') ? [b, a] : [a, b];
        r.fail(listening[blamed]!.section, 'Bind', `same address as [${listening[other]!.section}] Bind`);
      }
    }
  }
}

function sameDatabase(a: DbConfig, b: DbConfig): boolean {
  if (a.kind !== 'postgres' || b.kind !== 'postgres') return false;
  const x = a.connection;
  const y = b.connection;
  return (
    (x.host ?? '') === (y.host ?? '') &&
    (x.port ?? 5432) === (y.port ?? 5432) &&
    (x.database ?? x.user ?? '') === (y.database ?? y.user ?? '')
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
