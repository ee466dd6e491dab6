/**
 * Every setting of the config file, as data: the README and `direktiv --help` print this table,
 * and the loader reads the file and the environment through it.
 */

/** How a value is read (see load.ts). */
export type ValueKind =
  | 'string'
  | 'bind'
  | 'endpoint'
  | 'db'
  | 'path'
  | 'bool'
  | 'int'
  | 'duration'
  | 'size'
  | 'enum';

export interface ConfigKey {
  /** The TOML table, spelled as the seed spells it (`flowAPI.Registry` is a sub-table). */
  readonly section: string;
  readonly key: string;
  /**
   * The environment variables that override the file, strongest first:
   * `DIREKTIV_<SECTION>_<KEY>` (upper-cased, `.` → `_`), its snake-case spelling for
   * multi-word keys, then the short aliases (`DIREKTIV_DB`, `DIREKTIV_FLOW_BIND`…).
   */
  readonly env: readonly string[];
  /** The default, as text (`-` when unset by default). */
  readonly default: string;
  readonly description: string;
  readonly kind: ValueKind;
  /** Never shown in messages (passwords, tokens, connection strings). */
  readonly secret: boolean;
  /** For `enum`: the accepted values (Isolation also takes `vm` for `vorteil`). */
  readonly values?: readonly string[];
}

interface Extra {
  aliases?: string[];
  secret?: boolean;
  values?: string[];
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function key(
  section: string,
  name: string,
  kind: ValueKind,
  dflt: string,
  description: string,
  extra: Extra = {},
): ConfigKey {
  const prefix = `DIREKTIV_${section.replace(/\./g, '_').toUpperCase()}_`;
  const env = [prefix + name.toUpperCase(), prefix + snake(name), ...(extra.aliases ?? [])];
  return Object.freeze({
    section,
    key: name,
    env: Object.freeze([...new Set(env)]),
    default: dflt,
    description,
    kind,
    secret: extra.secret ?? false,
    ...(extra.values ? { values: Object.freeze([...extra.values]) } : {}),
  });
}

const DB_FORMS = 'libpq "key=value …" string or postgres:// URL';

export const CONFIG_KEYS: readonly ConfigKey[] = Object.freeze([
  key('Database', 'DB', 'db', '-', `main PostgreSQL database (${DB_FORMS}); unset: embedded PGlite`, {
    aliases: ['DIREKTIV_DB'],
    secret: true,
  }),
  key('Database', 'Path', 'path', './data', 'data directory of the embedded databases (main/ and secrets/)', {
    aliases: ['DIREKTIV_DATA'],
  }),

  key('flowAPI', 'Bind', 'bind', '127.0.0.1:7777', 'flow endpoint listen address (":port" = all interfaces)', {
    aliases: ['DIREKTIV_FLOW_BIND'],
  }),
  key('flowAPI', 'Endpoint', 'endpoint', '-', 'address other components use to reach the flow component', {
    aliases: ['DIREKTIV_FLOW_ENDPOINT'],
  }),
  key('flowAPI.Registry', 'Name', 'string', '-', 'default container registry for actions', {
    aliases: ['DIREKTIV_FLOW_REGISTRY'],
  }),
  key('flowAPI.Registry', 'User', 'string', '-', 'default registry login', {
    aliases: ['DIREKTIV_FLOW_REGISTRY_USER'],
  }),
  key('flowAPI.Registry', 'Token', 'string', '-', 'default registry token or password', {
    aliases: ['DIREKTIV_FLOW_REGISTRY_TOKEN'],
    secret: true,
  }),

  key('ingressAPI', 'Bind', 'bind', '127.0.0.1:6666', 'public HTTP API listen address', {
    aliases: ['DIREKTIV_INGRESS_BIND'],
  }),
  key('ingressAPI', 'Endpoint', 'endpoint', '-', 'address other components use to reach the public API', {
    aliases: ['DIREKTIV_INGRESS_ENDPOINT'],
  }),
  key('ingressAPI', 'Key', 'string', '-', 'API key; unset on a non-loopback bind: generated on first start', {
    aliases: ['DIREKTIV_API_KEY', 'DIREKTIV_INGRESS_KEY'],
    secret: true,
  }),
  key('ingressAPI', 'Insecure', 'bool', 'false', 'true: serve the public API without a key (warned about)', {
    aliases: ['DIREKTIV_INGRESS_INSECURE'],
  }),
  key('ingressAPI', 'BodyLimit', 'size', '32MiB', 'largest request body (bytes, or 512KiB, 32MiB, 1GB…)', {
    aliases: ['DIREKTIV_INGRESS_BODY_LIMIT'],
  }),

  key('isolateAPI', 'Bind', 'bind', '127.0.0.1:8888', 'action service listen address', {
    aliases: ['DIREKTIV_ISOLATE_BIND'],
  }),
  key('isolateAPI', 'Endpoint', 'endpoint', '-', 'address the flow component uses to reach the action service', {
    aliases: ['DIREKTIV_ISOLATE_ENDPOINT'],
  }),
  key('isolateAPI', 'Isolation', 'enum', 'container', 'run actions as "container" or "vorteil" VMs ("vm")', {
    aliases: ['DIREKTIV_ISOLATION'],
    values: ['container', 'vorteil'],
  }),
  key('isolateAPI', 'Socket', 'string', 'DOCKER_HOST, then the usual Docker and Podman sockets', 'container engine API (Docker or `podman system service`): a socket path, unix://, tcp:// or http:// address', {
    aliases: ['DIREKTIV_ISOLATE_SOCKET'],
  }),
  key('isolateAPI', 'Network', 'string', 'slirp4netns', 'network of function containers: "slirp4netns" (a network namespace per container that reaches the outside and the callbacks, not the host\'s loopback nor other containers), or another NetworkMode of the engine', {
    aliases: ['DIREKTIV_ISOLATE_NETWORK'],
  }),
  key('isolateAPI', 'Outbound', 'bool', 'true', 'false: function containers on the default network reach only this host (the callbacks), not the outside', {
    aliases: ['DIREKTIV_ISOLATE_OUTBOUND'],
  }),
  key('isolateAPI', 'MaxScale', 'int', '4', 'most warm containers of one reusable function (namespace, image, cmd, size); calls beyond queue', {
    aliases: ['DIREKTIV_ISOLATE_MAX_SCALE'],
  }),
  key('isolateAPI', 'IdleTimeout', 'duration', 'PT5M', 'a reusable function\'s container is stopped after this long without a call', {
    aliases: ['DIREKTIV_ISOLATE_IDLE_TIMEOUT'],
  }),
  key('isolateAPI', 'Token', 'string', '-', 'token the flow and action components share (without [Certs]); unset: generated into the main database', {
    aliases: ['DIREKTIV_ISOLATE_TOKEN'],
    secret: true,
  }),

  key('secretsAPI', 'Bind', 'bind', '127.0.0.1:2610', 'secrets service listen address', {
    aliases: ['DIREKTIV_SECRETS_BIND'],
  }),
  key('secretsAPI', 'Endpoint', 'endpoint', '-', 'address the flow component uses to reach the secrets service; unset: the Bind address if DB is set, else none', {
    aliases: ['DIREKTIV_SECRETS_ENDPOINT'],
  }),
  key('secretsAPI', 'DB', 'db', '-', `secrets database (${DB_FORMS}); unset: embedded PGlite`, {
    aliases: ['DIREKTIV_SECRETS_DB'],
    secret: true,
  }),
  key('secretsAPI', 'Key', 'string', '-', 'master key (32 bytes, base64 or hex) wrapping the namespace keys; unset: <Path>/master.key, generated', {
    aliases: ['DIREKTIV_SECRETS_KEY'],
    secret: true,
  }),
  key('secretsAPI', 'PreviousKeys', 'string', '-', 'during a master-key rotation: the old key(s), comma-separated', {
    aliases: ['DIREKTIV_SECRETS_PREVIOUS_KEYS'],
    secret: true,
  }),
  key('secretsAPI', 'Token', 'string', '-', 'token the flow and secrets components share (without [Certs])', {
    aliases: ['DIREKTIV_SECRETS_TOKEN'],
    secret: true,
  }),

  key('InstanceLogging', 'Driver', 'enum', 'database', 'instance logs go to the "database" or "stdout"', {
    aliases: ['DIREKTIV_INSTANCE_LOGGING_DRIVER'],
    values: ['database', 'stdout'],
  }),

  key('Minio', 'Endpoint', 'endpoint', '-', 'Minio/S3 address for VM disks (needed with Isolation = "vorteil")'),
  key('Minio', 'User', 'string', '-', 'Minio access key'),
  key('Minio', 'Password', 'string', '-', 'Minio secret key', { secret: true }),
  key('Minio', 'Region', 'string', '-', 'Minio region'),
  key('Minio', 'SSL', 'bool', 'false', 'use TLS to Minio (true/false or 1/0)'),
  key('Minio', 'Secure', 'bool', 'false', 'verify Minio\'s certificate (true/false or 1/0)'),
  key('Minio', 'Encrypt', 'string', '-', 'key that encrypts VM disks stored in Minio', { secret: true }),

  key('Kernel', 'Linux', 'string', '-', 'vorteil Linux kernel version for VMs'),
  key('Kernel', 'Runtime', 'string', '-', 'vorteil runtime (init) version for VMs'),

  key('Certs', 'Directory', 'path', '-', 'mutual TLS between components: <dir>/<component>/ certificates', {
    aliases: ['DIREKTIV_CERTS'],
  }),
  key('Certs', 'Secure', 'bool', 'true', 'verify the peer certificates (false: encrypt only)', {
    aliases: ['DIREKTIV_SECURE'],
  }),

  key('Engine', 'Workers', 'int', '8 (4 embedded)', 'concurrent state workers per process'),
  key('Engine', 'SubflowDepth', 'int', '5', 'deepest subflow nesting (direktiv.limits.depth beyond)'),
  key('Engine', 'InterruptTimeout', 'duration', 'PT15M', 'default timeouts.interrupt of a workflow (catchable timeout)'),
  key('Engine', 'KillTimeout', 'duration', 'InterruptTimeout + PT5M', 'default timeouts.kill (uncatchable)'),
  key('Engine', 'StateTimeout', 'duration', 'PT15M', 'default timeout of an action, foreach, parallel or event state'),
  key('Engine', 'Retention', 'duration', 'P7D', 'how long finished instances and their logs are kept'),
  key('Engine', 'JqTimeout', 'duration', 'PT10S', 'time budget of one jq evaluation'),
  key('Engine', 'MaxWait', 'duration', 'PT15M', 'execute?wait=true: the largest &timeout= a request may ask for'),
  key('Engine', 'DefaultWait', 'duration', 'PT5M', 'execute?wait=true: the wait when the request gives no &timeout='),
  key('Engine', 'PollInterval', 'duration', 'PT1S', 'queue poll interval (NOTIFY only speeds pickup up)'),
  key('Engine', 'CronCatchUp', 'duration', 'PT1M', 'a scheduled tick missed while no node ran still fires when at most this old'),
  key('Engine', 'EventRetention', 'duration', 'P7D', 'how long received events are kept (history, replays, duplicate detection)'),
]);

/** The sections of the file (case-insensitive match), sub-tables included. */
export const CONFIG_SECTIONS: readonly string[] = Object.freeze([
  ...new Set(CONFIG_KEYS.map((k) => k.section)),
]);

/** The key table as text, two lines a setting, for `direktiv --help`. */
export function formatConfigKeys(): string {
  const names = CONFIG_KEYS.map((k) => `[${k.section}] ${k.key}`);
  const width = Math.max(...names.map((n) => n.length));
  return CONFIG_KEYS.map(
    (k, i) =>
      `  ${names[i]!.padEnd(width)}  ${k.env.join(', ')}\n` +
      `  ${' '.repeat(width)}  ${k.description}${k.default === '-' ? '' : ` (default: ${k.default})`}`,
  ).join('\n');
}

/** The key table as a Markdown table, for the README. */
export function formatConfigKeysMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| setting | environment | default | description |',
    '|---|---|---|---|',
    ...CONFIG_KEYS.map(
      (k) =>
        `| \`[${k.section}] ${k.key}\` | ${k.env.map((e) => `\`${e}\``).join(', ')} ` +
        `| ${esc(k.default)} | ${esc(k.description)} |`,
    ),
  ].join('\n');
}
