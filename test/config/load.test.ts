import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig, type Component, type Config } from '../../src/config/index.js';
import { tempDir, writeConfig } from './helpers.js';

const dir = tempDir();
const all: Component[] = ['w', 'i', 's'];
let n = 0;

/** Loads `toml` (written to a fresh file) with `env` for `components`. */
function load(toml: string | undefined, env: Record<string, string> = {}, components: Component[] = all): Config {
  const file = toml === undefined ? undefined : writeConfig(dir, `c${n++}.toml`, toml);
  return loadConfig({ file, env, components, cwd: dir });
}

/** The ConfigError thrown by `fn`. */
function error(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('defaults', () => {
  it('nothing is required: no file, no environment', () => {
    const c = load(undefined);
    expect(c.components).toEqual(['w', 'i', 's']);
    expect(c.file).toBeUndefined();
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.database).toEqual({ kind: 'pglite', path: join(dir, 'data', 'main') });
    expect(c.secrets.db).toEqual({ kind: 'pglite', path: join(dir, 'data', 'secrets') });
    expect(c.flow).toEqual({ bind: { host: '127.0.0.1', port: 7777 }, endpoint: undefined, registry: undefined });
    expect(c.ingress).toEqual({
      bind: { host: '127.0.0.1', port: 6666 },
      endpoint: undefined,
      key: undefined,
      insecure: false,
      bodyLimit: 32 * 1024 * 1024,
    });
    expect(c.isolate).toEqual({
      bind: { host: '127.0.0.1', port: 8888 },
      endpoint: undefined,
      isolation: 'container',
      socket: undefined,
      network: 'slirp4netns',
      outbound: true,
      maxScale: 4,
      idleTimeoutMs: 300_000,
      token: undefined,
    });
    expect(c.secrets.bind).toEqual({ host: '127.0.0.1', port: 2610 });
    expect(c.instanceLogging.driver).toBe('database');
    expect(c.minio).toEqual({
      endpoint: undefined,
      user: undefined,
      password: undefined,
      region: undefined,
      ssl: false,
      secure: false,
      encrypt: undefined,
    });
    expect(c.certs).toEqual({ directory: undefined, secure: true });
    expect(c.engine).toEqual({
      workers: 4,
      subflowDepth: 5,
      interruptTimeoutMs: 15 * 60_000,
      killTimeoutMs: 20 * 60_000,
      stateTimeoutMs: 15 * 60_000,
      retentionMs: 7 * 24 * 3600_000,
      jqTimeoutMs: 10_000,
      maxWaitMs: 15 * 60_000,
      defaultWaitMs: 5 * 60_000,
      pollIntervalMs: 1000,
      cronCatchUpMs: 60_000,
      eventRetentionMs: 7 * 24 * 3600_000,
    });
    expect(c.warnings).toEqual([]);
  });

  it('8 workers on PostgreSQL', () => {
    expect(load('[Database]\nDB = "host=db"').engine.workers).toBe(8);
  });

  it('kill timeout follows the interrupt timeout; default wait is capped by MaxWait', () => {
    const c = load('[Engine]\nInterruptTimeout = "PT1H"\nMaxWait = "PT1M"');
    expect(c.engine.killTimeoutMs).toBe(65 * 60_000);
    expect(c.engine.defaultWaitMs).toBe(60_000);
  });

  it('is deep-frozen', () => {
    const c = load('[Database]\nDB = "host=db"');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.flow.bind)).toBe(true);
    expect(Object.isFrozen(c.components)).toBe(true);
    expect(Object.isFrozen(c.warnings)).toBe(true);
    expect(c.database.kind === 'postgres' && Object.isFrozen(c.database.connection)).toBe(true);
  });
});

describe('values', () => {
  it('binds: ":port", host:port, [v6]:port, port 0', () => {
    const c = load(
      '[flowAPI]\nBind = ":7777"\n[ingressAPI]\nBind = "10.1.2.3:80"\n[isolateAPI]\nBind = "[::1]:0"\n[secretsAPI]\nBind = "localhost:0"',
    );
    expect(c.flow.bind).toEqual({ host: '0.0.0.0', port: 7777 });
    expect(c.ingress.bind).toEqual({ host: '10.1.2.3', port: 80 });
    expect(c.isolate.bind).toEqual({ host: '::1', port: 0 });
    expect(c.secrets.bind).toEqual({ host: 'localhost', port: 0 });
  });

  it.each(['7777', 'host:', 'a b:1', '[::1:80'])('bad bind %j', (bind) => {
    expect(() => load(`[flowAPI]\nBind = "${bind}"`)).toThrow('must be "host:port" or ":port"');
  });

  it('bad port', () => {
    expect(() => load('[flowAPI]\nBind = "host:99999"')).toThrow('port must be 0-65535 (0: any free port)');
  });

  it('endpoints: host:port or http(s) URL', () => {
    expect(load('[flowAPI]\nEndpoint = "https://flow.example/base"').flow.endpoint).toBe('https://flow.example/base');
    expect(() => load('[flowAPI]\nEndpoint = "localhost"')).toThrow('must be "host:port" or an http:// or https:// URL');
    expect(() => load('[flowAPI]\nEndpoint = "ftp://x"')).toThrow('must be "host:port"');
  });

  it('booleans: true/false, 0/1, strings', () => {
    const c = load('[Minio]\nSSL = 1\nSecure = "yes"\n[ingressAPI]\nInsecure = true\n[Certs]\nSecure = false');
    expect([c.minio.ssl, c.minio.secure, c.ingress.insecure, c.certs.secure]).toEqual([true, true, true, false]);
    expect(() => load('[Minio]\nSSL = 2')).toThrow('[Minio] SSL = 2 (line 2): must be true or false (or 1 or 0)');
  });

  it.each([
    ['1024', 1024],
    ['"512KiB"', 512 * 1024],
    ['"32MiB"', 32 * 1024 * 1024],
    ['"1 GB"', 1e9],
    ['"10m"', 10 * 1024 * 1024],
    ['"1.5k"', 1536],
  ])('BodyLimit %s', (value, bytes) => {
    expect(load(`[ingressAPI]\nBodyLimit = ${value}`).ingress.bodyLimit).toBe(bytes);
  });

  it('bad BodyLimit', () => {
    expect(() => load('[ingressAPI]\nBodyLimit = "lots"')).toThrow('must be a size in bytes');
    expect(() => load('[ingressAPI]\nBodyLimit = 0')).toThrow('must be at least 1');
  });

  it('Isolation: container, vorteil, vm (= vorteil), any case', () => {
    const iso = (v: string) => load(`[isolateAPI]\nIsolation = "${v}"\n`, {}, ['w']).isolate.isolation;
    expect(iso('container')).toBe('container');
    expect(iso('Vorteil')).toBe('vorteil');
    expect(iso('vm')).toBe('vorteil');
  });

  it('the action service: engine socket, network, outbound, scale, idle timeout, token; bad values name the key', () => {
    const c = load(
      '[isolateAPI]\nSocket = "unix:///run/podman/podman.sock"\nNetwork = "slirp4netns:mtu=1500"\nOutbound = false\nMaxScale = 8\nIdleTimeout = "PT30S"\nToken = "t0k3n"\n',
      { DIREKTIV_FLOW_ENDPOINT: 'flow:7777' },
      ['i'],
    );
    expect(c.isolate).toMatchObject({
      socket: 'unix:///run/podman/podman.sock',
      network: 'slirp4netns:mtu=1500',
      outbound: false,
      maxScale: 8,
      idleTimeoutMs: 30_000,
      token: 't0k3n',
    });
    expect(load(undefined, { DIREKTIV_ISOLATE_MAX_SCALE: '2', DIREKTIV_ISOLATE_OUTBOUND: '0' }, ['w']).isolate).toMatchObject({ maxScale: 2, outbound: false });
    expect(() => load('[isolateAPI]\nMaxScale = 0\n', {}, ['w'])).toThrow('[isolateAPI] MaxScale = 0 (line 2): must be at least 1');
    expect(() => load('[isolateAPI]\nIdleTimeout = "5m"\n', {}, ['w'])).toThrow('[isolateAPI] IdleTimeout = "5m" (line 2): must be an ISO-8601 duration');
  });

  it('InstanceLogging Driver', () => {
    expect(load('[InstanceLogging]\nDriver = "stdout"').instanceLogging.driver).toBe('stdout');
    expect(() => load('[InstanceLogging]\nDriver = "file"')).toThrow('must be "database" or "stdout"');
  });

  it('engine durations and numbers', () => {
    const c = load(
      '[Engine]\nWorkers = 16\nSubflowDepth = "3"\nStateTimeout = "PT30S"\nRetention = "P30D"\nJqTimeout = "PT0.5S"\nPollInterval = "PT0.25S"\nKillTimeout = "PT1H"\nDefaultWait = "PT10M"',
    );
    expect(c.engine).toMatchObject({
      workers: 16,
      subflowDepth: 3,
      stateTimeoutMs: 30_000,
      retentionMs: 30 * 24 * 3600_000,
      jqTimeoutMs: 500,
      pollIntervalMs: 250,
      killTimeoutMs: 3600_000,
      defaultWaitMs: 600_000,
    });
  });

  it('engine errors', () => {
    expect(() => load('[Engine]\nWorkers = 0')).toThrow('[Engine] Workers = 0 (line 2): must be at least 1');
    expect(() => load('[Engine]\nWorkers = 1.5')).toThrow('must be a whole number');
    expect(() => load('[Engine]\nStateTimeout = "15m"')).toThrow(
      '[Engine] StateTimeout = "15m" (line 2): must be an ISO-8601 duration',
    );
    expect(() => load('[Engine]\nStateTimeout = "PT0S"')).toThrow('must be longer than zero');
    expect(() => load('[Engine]\nKillTimeout = "PT1M"')).toThrow(
      '[Engine] KillTimeout = "PT1M" (line 2): must be at least InterruptTimeout (PT15M)',
    );
    expect(() => load('[Engine]\nDefaultWait = "PT20M"')).toThrow('must not be longer than MaxWait (PT15M)');
  });

  it('paths are resolved against cwd; the Certs directory must exist', () => {
    mkdirSync(join(dir, 'certs'), { recursive: true });
    const c = load('[Database]\nPath = "var/lib"\n[Certs]\nDirectory = "certs"');
    expect(c.dataDir).toBe(join(dir, 'var/lib'));
    expect(c.database).toEqual({ kind: 'pglite', path: join(dir, 'var/lib/main') });
    expect(c.certs.directory).toBe(join(dir, 'certs'));
    expect(() => load('[Certs]\nDirectory = "nope"')).toThrow(`no such directory: ${join(dir, 'nope')}`);
  });

  it('an empty string is unset', () => {
    const c = load('[Minio]\nRegion = ""\n[flowAPI]\nBind = ""\n[ingressAPI]\nKey = ""');
    expect(c.minio.region).toBeUndefined();
    expect(c.flow.bind).toEqual({ host: '127.0.0.1', port: 7777 });
    expect(c.ingress.key).toBeUndefined();
  });

  it('DB as URL, for the main and the secrets database', () => {
    const c = load('[Database]\nDB = "postgres://a:b@h1/main"\n[secretsAPI]\nDB = "postgresql://c:d@h2:5433/sec?sslmode=require"');
    expect(c.database).toEqual({ kind: 'postgres', connection: { host: 'h1', user: 'a', password: 'b', database: 'main' } });
    expect(c.secrets.db).toEqual({
      kind: 'postgres',
      connection: { host: 'h2', port: 5433, user: 'c', password: 'd', database: 'sec', ssl: { rejectUnauthorized: false } },
    });
  });

  it('section and key names match case-insensitively', () => {
    const c = load('[database]\ndb = "host=x"\n[FLOWAPI]\nbind = ":1"\n[flowapi.registry]\nNAME = "r"');
    expect(c.database).toEqual({ kind: 'postgres', connection: { host: 'x' } });
    expect(c.flow.bind.port).toBe(1);
    expect(c.flow.registry?.name).toBe('r');
  });
});

describe('environment', () => {
  it('overrides the file, by full name and by alias', () => {
    const c = load('[isolateAPI]\nIsolation = "foo"\n[flowAPI]\nBind = ":1"', {
      DIREKTIV_ISOLATION: 'vm',
      DIREKTIV_FLOWAPI_BIND: '127.0.0.1:2',
      DIREKTIV_DB: "host=db password='a b'",
      DIREKTIV_SECRETS_DB: 'postgres://s/x',
      DIREKTIV_API_KEY: 'k',
      DIREKTIV_DATA: '/srv/direktiv',
      DIREKTIV_INGRESS_BIND: ':80',
      DIREKTIV_ENGINE_INTERRUPT_TIMEOUT: 'PT1M',
      DIREKTIV_ENGINE_JQTIMEOUT: 'PT1S',
      DIREKTIV_MINIO_SSL: 'true',
      DIREKTIV_MINIO_ENDPOINT: 'minio:9000',
      DIREKTIV_MINIO_USER: 'u',
      DIREKTIV_MINIO_PASSWORD: 'p',
    });
    expect(c.isolate.isolation).toBe('vorteil');
    expect(c.flow.bind).toEqual({ host: '127.0.0.1', port: 2 });
    expect(c.database).toEqual({ kind: 'postgres', connection: { host: 'db', password: 'a b' } });
    expect(c.secrets.db).toEqual({ kind: 'postgres', connection: { host: 's', database: 'x' } });
    expect(c.ingress.key).toBe('k');
    expect(c.ingress.bind).toEqual({ host: '0.0.0.0', port: 80 });
    expect(c.dataDir).toBe('/srv/direktiv');
    expect(c.engine.interruptTimeoutMs).toBe(60_000);
    expect(c.engine.jqTimeoutMs).toBe(1000);
    expect(c.minio.ssl).toBe(true);
  });

  it('without a file', () => {
    expect(load(undefined, { DIREKTIV_FLOW_BIND: ':9' }).flow.bind).toEqual({ host: '0.0.0.0', port: 9 });
  });

  it('an empty variable is unset', () => {
    expect(load('[flowAPI]\nBind = ":5"', { DIREKTIV_FLOW_BIND: '' }).flow.bind.port).toBe(5);
  });

  it('the full name wins over an alias; disagreeing variables are warned about', () => {
    const c = load(undefined, { DIREKTIV_DATABASE_DB: 'host=a', DIREKTIV_DB: 'host=b' });
    expect(c.database).toEqual({ kind: 'postgres', connection: { host: 'a' } });
    expect(c.warnings).toContain('environment variables DIREKTIV_DATABASE_DB and DIREKTIV_DB disagree; DIREKTIV_DATABASE_DB is used');
  });

  it('errors name the variable', () => {
    expect(() => load('[isolateAPI]\nIsolation = "container"', { DIREKTIV_ISOLATION: 'foo' })).toThrow(
      'environment variable DIREKTIV_ISOLATION: [isolateAPI] Isolation = "foo": must be "container" or "vorteil"',
    );
    const e = error(() => load(undefined, { DIREKTIV_ENGINE_WORKERS: 'many' }));
    expect(e.source).toBe('environment variable DIREKTIV_ENGINE_WORKERS');
    expect(e.key).toBe('[Engine] Workers');
    expect(e.line).toBeUndefined();
  });

  it('every key has its DIREKTIV_<SECTION>_<KEY> variable first', () => {
    for (const k of CONFIG_KEYS) {
      expect(k.env[0]).toBe(`DIREKTIV_${k.section.replace('.', '_').toUpperCase()}_${k.key.toUpperCase()}`);
    }
    const names = CONFIG_KEYS.flatMap((k) => k.env);
    expect(new Set(names).size).toBe(names.length);
    for (const alias of [
      'DIREKTIV_DB',
      'DIREKTIV_FLOW_BIND',
      'DIREKTIV_INGRESS_BIND',
      'DIREKTIV_ISOLATE_BIND',
      'DIREKTIV_ISOLATION',
      'DIREKTIV_SECRETS_DB',
      'DIREKTIV_SECRETS_BIND',
      'DIREKTIV_API_KEY',
      'DIREKTIV_DATA',
    ]) {
      expect(names).toContain(alias);
    }
  });
});

describe('errors', () => {
  it('name the file, the key, the value and the line', () => {
    const file = writeConfig(dir, 'my.conf', '# comment\n[Database]\n\n[isolateAPI]\n  Bind = ":1"\n  Isolation = "foo"\n');
    const e = error(() => loadConfig({ file, env: {}, components: ['i'], cwd: dir }));
    expect(e.message).toBe(`config ${file}: [isolateAPI] Isolation = "foo" (line 6): must be "container" or "vorteil"`);
    expect(e).toMatchObject({ key: '[isolateAPI] Isolation', source: `config ${file}`, line: 6 });
  });

  it('the file name as given on the command line', () => {
    writeConfig(dir, 'rel.toml', '[flowAPI]\nBind = 5');
    expect(() => loadConfig({ file: 'rel.toml', env: {}, components: all, cwd: dir })).toThrow(
      'config rel.toml: [flowAPI] Bind = 5 (line 2): must be a string, not a number',
    );
  });

  it('never show secret values', () => {
    const e = error(() => load('[Database]\nDB = "host=h password=hunter2 sslmode=sometimes"'));
    expect(e.message).toMatch(/^config .*: \[Database\] DB \(line 2\): sslmode "sometimes" must be one of/);
    expect(e.message).not.toContain('hunter2');
    expect(error(() => load('[Database]\nDB = "hots=h password=hunter2"')).message).toMatch(
      /\[Database\] DB \(line 2\): unsupported libpq keyword "hots"/,
    );
    expect(error(() => load('[Minio]\nPassword = 1234')).message).not.toContain('1234');
  });

  it('a missing file is named', () => {
    expect(() => loadConfig({ file: '/no/such.conf', env: {}, components: all })).toThrow(
      'config /no/such.conf: file not found',
    );
    expect(() => loadConfig({ file: dir, env: {}, components: all })).toThrow('is a directory');
  });

  it('TOML syntax errors', () => {
    expect(() => load('[flowAPI]\nBind = :7777\n')).toThrow(/^config .*c\d+\.toml: line 2, column \d+: invalid TOML/);
  });

  it('a key given twice (two spellings, or two openings of a table)', () => {
    expect(() => load('[Database]\nDB = "host=a"\n[database]\nDb = "host=b"\n')).toThrow(
      /\[Database\] DB is given twice \(lines 2 and 4\)/,
    );
    expect(() => load('[flowAPI]\nBind = ":1"\n[Kernel]\n[flowAPI]\nBind = ":2"\n')).toThrow(/line 5/);
  });

  it('a known section must be a table', () => {
    expect(() => load('Database = "host=x"')).toThrow('[Database] (line 1): must be a table');
  });

  it('an action service alone needs the flow endpoint', () => {
    expect(() => load('[isolateAPI]\nBind = ":1"', {}, ['i'])).toThrow(
      /\[flowAPI\] Endpoint is required when the action service \(-t i\) runs without the flow component \(w\) \(or set DIREKTIV_FLOW_ENDPOINT\)/,
    );
    expect(() => load(undefined, {}, ['i', 's'])).toThrow(
      'config: [flowAPI] Endpoint is required when the action service (-t i) runs without the flow component (w): give it in the config file (-c) or set DIREKTIV_FLOW_ENDPOINT',
    );
    expect(load(undefined, { DIREKTIV_FLOW_ENDPOINT: 'flow:7777' }, ['i']).flow.endpoint).toBe('flow:7777');
  });

  it('vorteil isolation needs Minio', () => {
    expect(() => load('[isolateAPI]\nIsolation = "vorteil"')).toThrow(
      /\[Minio\] Endpoint is required when \[isolateAPI\] Isolation is "vorteil"/,
    );
    expect(() => load('[isolateAPI]\nIsolation = "vorteil"\n[Minio]\nEndpoint = "m:9000"\nUser = "u"')).toThrow(
      /\[Minio\] Password is required/,
    );
    // Only the action service needs it.
    expect(load('[isolateAPI]\nIsolation = "vorteil"', {}, ['w']).isolate.isolation).toBe('vorteil');
  });

  it('registry credentials need a registry name', () => {
    expect(() => load('[flowAPI.Registry]\nUser = "u"')).toThrow('[flowAPI.Registry] User = "u" (line 2): needs [flowAPI.Registry] Name');
    expect(() => load('[flowAPI.Registry]\nToken = "t"')).toThrow('[flowAPI.Registry] Token (line 2): needs [flowAPI.Registry] Name');
  });

  it('two components of one process on one address', () => {
    expect(() => load('[flowAPI]\nBind = ":6666"')).toThrow(
      '[flowAPI] Bind = ":6666" (line 2): same address as [ingressAPI] Bind',
    );
    expect(() => load('[secretsAPI]\nBind = "127.0.0.1:8888"')).toThrow('[secretsAPI] Bind');
    // Not in the same process: fine.
    expect(load('[secretsAPI]\nBind = "127.0.0.1:8888"', {}, ['w', 's']).secrets.bind.port).toBe(8888);
    // Port 0 never clashes.
    expect(load('[flowAPI]\nBind = ":0"\n[ingressAPI]\nBind = ":0"').flow.bind.port).toBe(0);
  });

  it('no component', () => {
    expect(() => load(undefined, {}, [])).toThrow('no component to run');
  });
});

describe('warnings', () => {
  it('unknown sections and keys, with their lines', () => {
    const c = load('[Foo]\nx = 1\n[flowAPI]\nBnid = ":1"\n[flowAPI.Other]\n\n[Engine]\nWrokers = 3\ntop = 1\n', {});
    expect(c.warnings).toEqual([
      expect.stringMatching(/: unknown section \[Foo\] \(line 1\), ignored$/),
      expect.stringMatching(/: unknown key \[flowAPI\] Bnid \(line 4\), ignored$/),
      expect.stringMatching(/: unknown table \[flowAPI\] Other \(line 5\), ignored$/),
      expect.stringMatching(/: unknown key \[Engine\] Wrokers \(line 8\), ignored$/),
      expect.stringMatching(/: unknown key \[Engine\] top \(line 9\), ignored$/),
    ]);
  });

  it('insecure API, missing action or secrets service, secrets next to the main database', () => {
    expect(load('[ingressAPI]\nInsecure = true').warnings).toEqual([
      '[ingressAPI] Insecure = true: the public API accepts requests without an API key',
    ]);
    expect(load(undefined, {}, ['w']).warnings).toEqual([
      expect.stringContaining('no action service'),
      expect.stringContaining('no secrets service'),
    ]);
    expect(load('[Database]\nDB = "host=a"').warnings).toEqual([
      expect.stringContaining('secrets are kept in the embedded database'),
    ]);
    expect(load('[Database]\nDB = "host=a dbname=x"\n[secretsAPI]\nDB = "postgres://a/x"').warnings).toEqual([
      '[secretsAPI] DB is the main database: keys and ciphertexts are not kept apart',
    ]);
  });
});
