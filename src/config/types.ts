import type { PgConnection } from './libpq.js';

/** A component letter of `-t`: w = flow + ingress, i = action (isolate) service, s = secrets. */
export type Component = 'w' | 'i' | 's';
export type Components = ReadonlySet<Component>;

/** A listen address. `:7777` in the file is `{host: '0.0.0.0', port: 7777}`; port 0 = any free port. */
export interface Bind {
  readonly host: string;
  readonly port: number;
}

/** Real PostgreSQL, or embedded PGlite in a data directory. */
export type DbConfig =
  | { readonly kind: 'postgres'; readonly connection: PgConnection }
  | { readonly kind: 'pglite'; readonly path: string };

export type Isolation = 'container' | 'vorteil';
export type LogDriver = 'database' | 'stdout';

/**
 * The whole configuration, validated and deep-frozen. Optional strings are `undefined` when
 * unset (an empty string in the file or the environment counts as unset). Paths are absolute.
 */
export interface Config {
  /** The components this process runs, in the order w, i, s. */
  readonly components: readonly Component[];
  /** The config file read (absolute), if any. */
  readonly file: string | undefined;
  /** `[Database] Path`: the embedded databases live in `<dataDir>/main` and `<dataDir>/secrets`. */
  readonly dataDir: string;
  /** `[Database] DB`, else PGlite in `<dataDir>/main`. */
  readonly database: DbConfig;
  readonly flow: {
    readonly bind: Bind;
    /** How other components reach this one (`host:port` or a URL); unset: derive from the bound address. */
    readonly endpoint: string | undefined;
    /** `[flowAPI.Registry]`: the default registry login, when a Name is set. */
    readonly registry:
      | { readonly name: string; readonly user: string | undefined; readonly token: string | undefined }
      | undefined;
  };
  readonly ingress: {
    readonly bind: Bind;
    readonly endpoint: string | undefined;
    /** The API key; unset on a non-loopback bind means: generate one (unless `insecure`). */
    readonly key: string | undefined;
    readonly insecure: boolean;
    /** Largest request body in bytes. */
    readonly bodyLimit: number;
  };
  readonly isolate: {
    readonly bind: Bind;
    readonly endpoint: string | undefined;
    readonly isolation: Isolation;
    /** `[isolateAPI] Socket`: the container engine's API; unset: DOCKER_HOST, then the usual sockets. */
    readonly socket: string | undefined;
    /** `NetworkMode` of function containers. */
    readonly network: string;
    /** false: containers on the default network reach only this host, not the outside */
    readonly outbound: boolean;
    /** Most warm containers per reusable function. */
    readonly maxScale: number;
    readonly idleTimeoutMs: number;
    /** `[isolateAPI] Token`: shared by the flow and action components. */
    readonly token: string | undefined;
  };
  readonly secrets: {
    readonly bind: Bind;
    readonly endpoint: string | undefined;
    /** `[secretsAPI] DB`, else PGlite in `<dataDir>/secrets`. */
    readonly db: DbConfig;
    /** `[secretsAPI] Key`: the master key as written (parsed by the secrets module). */
    readonly key: string | undefined;
    /** `[secretsAPI] PreviousKeys`, split at commas. */
    readonly previousKeys: readonly string[];
    /** `[secretsAPI] Token`: shared by the flow and secrets components. */
    readonly token: string | undefined;
  };
  readonly instanceLogging: { readonly driver: LogDriver };
  readonly minio: {
    readonly endpoint: string | undefined;
    readonly user: string | undefined;
    readonly password: string | undefined;
    readonly region: string | undefined;
    readonly ssl: boolean;
    readonly secure: boolean;
    readonly encrypt: string | undefined;
  };
  readonly kernel: { readonly linux: string | undefined; readonly runtime: string | undefined };
  readonly certs: { readonly directory: string | undefined; readonly secure: boolean };
  /** `[Engine]`; durations in milliseconds. */
  readonly engine: {
    readonly workers: number;
    readonly subflowDepth: number;
    readonly interruptTimeoutMs: number;
    readonly killTimeoutMs: number;
    readonly stateTimeoutMs: number;
    readonly retentionMs: number;
    readonly jqTimeoutMs: number;
    /** Longest `execute?wait=true` wait a request may ask for. */
    readonly maxWaitMs: number;
    /** The wait when the request names none. */
    readonly defaultWaitMs: number;
    readonly pollIntervalMs: number;
    /** `[Engine] CronCatchUp`: how old a missed scheduled tick may be and still fire. */
    readonly cronCatchUpMs: number;
    /** `[Engine] EventRetention`: how long received events are kept. */
    readonly eventRetentionMs: number;
  };
  /** Things worth a log line at startup: unknown keys, insecure settings, conflicting env vars. */
  readonly warnings: readonly string[];
}
