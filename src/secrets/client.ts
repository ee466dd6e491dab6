/**
 * The flow side of secrets. A SecretsBackend stores ciphertexts (in-process on the embedded
 * secrets database, or over HTTP to a `-t s` service); the Secrets class on top is the only
 * place values are encrypted and decrypted, with the namespace keys of the main database.
 */
import type https from 'node:https';
import type { Db, Queryable } from '../db/index.js';
import { ComponentClient } from '../util/component-client.js';
import { decryptValue, encryptValue } from './crypto.js';
import type { MasterKeys, SecretKind } from './crypto.js';
import { dataKeyFor, hasDataKey, readDataKey } from './keys.js';
import { imageRegistry, parseLogin, registryHost } from './registries.js';
import type { RegistryLogin } from './registries.js';
import * as store from './store.js';
import type { NameList, NamePage } from './store.js';

/** The secrets service cannot be reached, timed out or failed (catchable in a workflow). */
export class SecretsUnavailableError extends Error {
  override name = 'SecretsUnavailableError';
}

/** A secret a workflow names does not exist (the engine's uncatchable direktiv.secrets.notFound). */
export class SecretNotFoundError extends Error {
  override name = 'SecretNotFoundError';
  constructor(
    readonly secret: string,
    readonly kind: SecretKind = 'secret',
  ) {
    super(`${kind} ${JSON.stringify(secret)} does not exist`);
  }
}

export interface SecretsBackend {
  put(ns: string, kind: SecretKind, name: string, ciphertext: Buffer): Promise<void>;
  list(ns: string, kind: SecretKind, page: NamePage): Promise<NameList>;
  /** the ciphertexts of the names that exist */
  fetch(ns: string, kind: SecretKind, names: string[]): Promise<Map<string, Buffer>>;
  delete(ns: string, kind: SecretKind, name: string): Promise<boolean>;
  deleteNamespace(ns: string): Promise<void>;
  /** Resolves when the store answers; SecretsUnavailableError (or the database's error) when not. */
  ping(): Promise<void>;
  /** where the ciphertexts are, for messages */
  readonly where: string;
}

/** Single-process mode: the store on the embedded secrets database, called directly. */
export function localBackend(db: Db): SecretsBackend {
  return {
    put: (ns, kind, name, c) => store.put(db, ns, kind, name, c),
    list: (ns, kind, page) => store.listNames(db, ns, kind, page),
    fetch: (ns, kind, names) => store.fetchCiphertexts(db, ns, kind, names),
    delete: (ns, kind, name) => store.deleteOne(db, ns, kind, name),
    deleteNamespace: async (ns) => {
      await store.deleteNamespace(db, ns);
    },
    ping: async () => {
      await db.query('SELECT 1');
    },
    where: 'the secrets database',
  };
}

export interface HttpBackendOptions {
  /** per request, connect to last byte (default 5 s) */
  timeoutMs?: number;
  /** HTTPS with this CA, client certificate and key (mutual TLS); an endpoint without a scheme is then https */
  tls?: https.AgentOptions;
}

/**
 * A `-t s` service over HTTP(S), with a keep-alive agent. `endpoint`: "http(s)://host:port" or
 * "host:port" (plain HTTP). Connection failures, timeouts, 5xx and a refused token all become
 * SecretsUnavailableError; the service's 400 and 413 answers become InvalidSecretError.
 */
export function httpBackend(endpoint: string, token: string, opts: HttpBackendOptions = {}): SecretsBackend & { close(): void } {
  const client = new ComponentClient(endpoint, token, opts.tls, opts.timeoutMs ?? 5000);
  const base = client.base;
  const seg = encodeURIComponent;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    let a;
    try {
      a = await client.request(method, path, body);
    } catch (e) {
      throw unavailable(e as Error);
    }
    let json: unknown;
    try {
      json = a.body.length > 0 ? JSON.parse(a.body.toString('utf8')) : undefined;
    } catch {
      json = undefined;
    }
    const status = a.status;
    if (status >= 200 && status < 300) return { status, json };
    const message = (json as { message?: unknown } | undefined)?.message;
    const text = typeof message === 'string' ? message : `HTTP ${status}`;
    // Our request was refused for its content; anything else (401, 404 of an older service,
    // 5xx) is the service not being usable, which a workflow may catch and retry.
    if (status === 400 || status === 413) throw new store.InvalidSecretError(text, status);
    throw new SecretsUnavailableError(`the secrets service at ${base.host} answered ${status}: ${text}`);
  };

  const unavailable = (e: Error) => new SecretsUnavailableError(`the secrets service at ${base.host} is not reachable: ${e.message}`);
  const p = (ns: string, kind?: string, name?: string) =>
    `/v1/namespaces/${seg(ns)}${kind ? `/${seg(kind)}` : ''}${name !== undefined ? `/${seg(name)}` : ''}`;

  return {
    async put(ns, kind, name, ciphertext) {
      await call('PUT', p(ns, kind, name), { ciphertext: ciphertext.toString('base64') });
    },
    async list(ns, kind, page) {
      const { json } = await call('GET', `${p(ns, kind)}?offset=${page.offset}&limit=${page.limit}`);
      return json as NameList;
    },
    async fetch(ns, kind, names) {
      const out = new Map<string, Buffer>();
      // The service takes at most 100 names per call.
      for (let i = 0; i < names.length; i += 100) {
        const { json } = await call('POST', `${p(ns, kind)}/fetch`, { names: names.slice(i, i + 100) });
        for (const [n, c] of Object.entries((json as { items: Record<string, string> }).items)) out.set(n, Buffer.from(c, 'base64'));
      }
      return out;
    },
    async delete(ns, kind, name) {
      const { json } = await call('DELETE', p(ns, kind, name));
      return (json as { deleted: boolean }).deleted;
    },
    async deleteNamespace(ns) {
      await call('DELETE', p(ns));
    },
    async ping() {
      await call('GET', '/v1/healthz');
    },
    where: `the secrets service at ${base.host}`,
    close: () => client.close(),
  };
}

export interface SecretsOptions {
  mainDb: Db;
  backend: SecretsBackend;
  keyring: MasterKeys;
  /** `[flowAPI.Registry]`: the login for its host when a namespace has none of its own */
  defaultRegistry?: { name: string; user?: string | undefined; token?: string | undefined } | undefined;
}

/** A registry is stored under its host (src/secrets/registries.ts), so that one host is one name. */
const normalise = (kind: SecretKind, name: string) => (kind === 'registry' ? registryHost(name) : name);


export class Secrets {
  private readonly db: Db;
  private readonly backend: SecretsBackend;
  private readonly keyring: MasterKeys;
  private readonly defaultLogin: RegistryLogin | undefined;

  constructor(opts: SecretsOptions) {
    this.db = opts.mainDb;
    this.backend = opts.backend;
    this.keyring = opts.keyring;
    const d = opts.defaultRegistry;
    this.defaultLogin = d ? { registry: registryHost(d.name), user: d.user ?? '', token: d.token ?? '' } : undefined;
  }

  /**
   * Creates or replaces a value (at most 64 KiB of UTF-8; a registry's is `user:token`).
   * NamespaceNotFoundError if no such namespace.
   */
  async set(ns: string, kind: SecretKind, name: string, value: string): Promise<void> {
    store.checkKind(kind);
    store.checkNamespace(ns);
    name = normalise(kind, name);
    store.checkName(kind, name);
    if (kind === 'registry') parseLogin(name, value);
    const plain = Buffer.from(value, 'utf8');
    if (plain.length > store.MAX_VALUE_BYTES) throw new store.InvalidSecretError(`the value is larger than ${store.MAX_VALUE_BYTES} bytes`, 413);
    const key = await dataKeyFor(this.db, this.keyring, ns);
    const ciphertext = encryptValue(key, ns, kind, name, plain);
    plain.fill(0);
    key.fill(0);
    await this.backend.put(ns, kind, name, ciphertext);
  }

  async list(ns: string, kind: SecretKind, page: NamePage = { offset: 0, limit: 50 }): Promise<NameList> {
    store.checkKind(kind);
    store.checkNamespace(ns);
    return this.backend.list(ns, kind, page);
  }

  async delete(ns: string, kind: SecretKind, name: string): Promise<boolean> {
    store.checkKind(kind);
    return this.backend.delete(ns, kind, normalise(kind, name));
  }

  /**
   * Deletes the namespace's secrets and registries in the secrets service; called before the
   * namespace is deleted, whose row takes the key with it (foreign-key cascade). So a service
   * that cannot be reached (SecretsUnavailableError) stops the deletion before anything is gone.
   * A namespace that never stored a value has no key and is not asked about.
   */
  async deleteNamespace(ns: string): Promise<void> {
    if (await hasDataKey(this.db, ns)) await this.backend.deleteNamespace(ns);
  }

  /**
   * The plaintexts of `names` (kind "secret" unless told). SecretNotFoundError for the first
   * missing one; SecretsUnavailableError when the service cannot be reached. `q`: the caller's
   * transaction on the main database, where the namespace key is read (PGlite has one
   * connection, so a second one would wait for it).
   */
  async resolve(ns: string, names: string[], kind: SecretKind = 'secret', q?: Queryable): Promise<Record<string, string>> {
    const wanted = [...new Set(names.map((n) => normalise(kind, n)))];
    if (wanted.length === 0) return {};
    for (const n of wanted) if (store.nameProblem(kind, n)) throw new SecretNotFoundError(n, kind);
    const found = await this.backend.fetch(ns, kind, wanted);
    const missing = wanted.find((n) => !found.has(n));
    if (missing !== undefined) throw new SecretNotFoundError(missing, kind);
    const key = await readDataKey(q ?? this.db, this.keyring, ns);
    // Ciphertexts but no key: left from a deleted namespace of the same name; unreadable.
    if (!key) throw new SecretNotFoundError(wanted[0]!, kind);
    try {
      const out: Record<string, string> = {};
      for (const n of wanted) out[n] = decryptValue(key, ns, kind, n, found.get(n)!).toString('utf8');
      return out;
    } finally {
      key.fill(0);
    }
  }

  /** Why secrets cannot be used right now (the store does not answer), or undefined when they can. */
  async problem(): Promise<string | undefined> {
    try {
      await this.backend.ping();
      return undefined;
    } catch (err) {
      return err instanceof SecretsUnavailableError ? err.message : `${this.backend.where} does not answer: ${(err as Error).message}`;
    }
  }

  /**
   * The login for pulling `image` in namespace `ns`: the namespace's registry of the image's
   * host, else the configured default when it is for that host, else undefined (anonymous pull).
   */
  async registryLogin(ns: string, image: string, q?: Queryable): Promise<RegistryLogin | undefined> {
    const host = imageRegistry(image);
    try {
      const found = await this.resolve(ns, [host], 'registry', q);
      return parseLogin(host, found[host]!);
    } catch (err) {
      if (!(err instanceof SecretNotFoundError)) throw err;
    }
    return this.defaultLogin?.registry === host ? this.defaultLogin : undefined;
  }
}
