import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { create as createNamespace, NamespaceNotFoundError } from '../../src/namespaces/index.js';
import {
  DecryptError,
  InvalidSecretError,
  SecretNotFoundError,
  Secrets,
  SecretsUnavailableError,
  UnknownMasterKeyError,
  buildSecretsService,
  generateMasterKey,
  httpBackend,
  localBackend,
  readDataKey,
  unwrapDataKey,
} from '../../src/secrets/index.js';
import type { MasterKeys } from '../../src/secrets/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { createSecretsTestDb, dumpAll } from './helpers.js';

const VALUES: Record<string, string> = {
  API_TOKEN: 'plain-api-token-7f3a9c',
  'db.password': 'hunter2-correct-horse-battery',
  EMPTYISH: ' ',
};
const REGISTRY = 'robot:registry-token-5be1d2';

describe.each(BACKENDS)('Secrets on %s (main and secrets databases apart)', (backend) => {
  let main: TestDb;
  let sec: TestDb;
  let secrets: Secrets;
  const keyring: MasterKeys = { current: generateMasterKey(), previous: [] };

  beforeAll(async () => {
    main = await createTestDb(backend, 4);
    sec = await createSecretsTestDb(backend);
    await createNamespace(main.db, 'alpha');
    await createNamespace(main.db, 'beta');
    secrets = new Secrets({ mainDb: main.db, backend: localBackend(sec.db), keyring });
  });
  afterAll(async () => {
    await main.drop();
    await sec.drop();
  });

  it('sets, lists, resolves and deletes values', async () => {
    for (const [n, v] of Object.entries(VALUES)) await secrets.set('alpha', 'secret', n, v);
    await secrets.set('alpha', 'registry', 'Registry.Example.com:5000', REGISTRY);
    await secrets.set('beta', 'secret', 'API_TOKEN', 'beta-token');
    expect(await secrets.list('alpha', 'secret')).toEqual({ names: ['API_TOKEN', 'EMPTYISH', 'db.password'], total: 3 });
    expect(await secrets.list('alpha', 'registry')).toEqual({ names: ['registry.example.com:5000'], total: 1 });
    expect(await secrets.resolve('alpha', ['API_TOKEN', 'db.password', 'API_TOKEN'])).toEqual({
      API_TOKEN: VALUES.API_TOKEN,
      'db.password': VALUES['db.password'],
    });
    expect(await secrets.resolve('beta', ['API_TOKEN'])).toEqual({ API_TOKEN: 'beta-token' });
    expect(await secrets.resolve('alpha', ['registry.example.com:5000'], 'registry')).toEqual({ 'registry.example.com:5000': REGISTRY });
    expect(await secrets.resolve('alpha', [])).toEqual({});

    await secrets.set('beta', 'secret', 'API_TOKEN', 'beta-token-2');
    expect(await secrets.resolve('beta', ['API_TOKEN'])).toEqual({ API_TOKEN: 'beta-token-2' });
    expect(await secrets.delete('beta', 'secret', 'API_TOKEN')).toBe(true);
    expect(await secrets.delete('beta', 'secret', 'API_TOKEN')).toBe(false);
  });

  it('names a missing secret; refuses bad names, big values and unknown namespaces', async () => {
    await expect(secrets.resolve('alpha', ['API_TOKEN', 'NOPE'])).rejects.toMatchObject({ name: 'SecretNotFoundError', secret: 'NOPE' });
    await expect(secrets.resolve('alpha', ['bad name'])).rejects.toThrow(SecretNotFoundError);
    await expect(secrets.resolve('gamma', ['X'])).rejects.toThrow(SecretNotFoundError);
    await expect(secrets.set('alpha', 'secret', 'bad name', 'v')).rejects.toThrow(InvalidSecretError);
    await expect(secrets.set('alpha', 'secret', 'BIG', 'x'.repeat(64 * 1024 + 1))).rejects.toMatchObject({ status: 413 });
    await expect(secrets.set('gamma', 'secret', 'X', 'v')).rejects.toThrow(NamespaceNotFoundError);
  });

  it('a ciphertext moved to another name or namespace does not decrypt', async () => {
    await sec.db.query(
      `INSERT INTO secrets (namespace, kind, name, ciphertext)
       SELECT namespace, kind, 'MOVED', ciphertext FROM secrets WHERE namespace = 'alpha' AND name = 'API_TOKEN'`,
    );
    await expect(secrets.resolve('alpha', ['MOVED'])).rejects.toThrow(DecryptError);
    await secrets.set('beta', 'secret', 'SEED', 'x'); // beta gets a key
    await sec.db.query(
      `INSERT INTO secrets (namespace, kind, name, ciphertext)
       SELECT 'beta', kind, name, ciphertext FROM secrets WHERE namespace = 'alpha' AND name = 'API_TOKEN'`,
    );
    await expect(secrets.resolve('beta', ['API_TOKEN'])).rejects.toThrow(DecryptError);
    await sec.db.query(`DELETE FROM secrets WHERE name = 'MOVED' OR namespace = 'beta'`);
  });

  it('a dump of both databases holds no plaintext value and no data key', async () => {
    const dump = (await dumpAll(main)) + '\n' + (await dumpAll(sec));
    expect(dump).toContain('namespace_keys:');
    expect(dump).toContain('secrets:');
    const needles: string[] = [];
    const add = (b: Buffer) => needles.push(b.toString('hex'), b.toString('base64'), b.toString('base64url'));
    for (const v of [...Object.values(VALUES).filter((v) => v.trim()), REGISTRY, 'registry-token-5be1d2']) {
      needles.push(v);
      add(Buffer.from(v));
    }
    for (const ns of ['alpha', 'beta']) add((await readDataKey(main.db, keyring, ns))!);
    add(keyring.current);
    for (const n of needles) expect(dump.toLowerCase()).not.toContain(n.toLowerCase());
  });

  it('only the secrets database, or only the main one without the master key, decrypts nothing', async () => {
    // The secrets database with a main database that lacks the keys (keys are random, not derived).
    const otherMain = await createTestDb(backend, 2);
    try {
      await createNamespace(otherMain.db, 'alpha');
      const thief = new Secrets({ mainDb: otherMain.db, backend: localBackend(sec.db), keyring });
      await expect(thief.resolve('alpha', ['API_TOKEN'])).rejects.toThrow(SecretNotFoundError);
    } finally {
      await otherMain.drop();
    }
    // The main database without the master key: no keyring key matches, and no other key unwraps.
    const guess: MasterKeys = { current: generateMasterKey(), previous: [] };
    const thief = new Secrets({ mainDb: main.db, backend: localBackend(sec.db), keyring: guess });
    await expect(thief.resolve('alpha', ['API_TOKEN'])).rejects.toThrow(UnknownMasterKeyError);
    const { rows } = await main.db.query<{ wrapped: Uint8Array }>(`SELECT wrapped FROM namespace_keys WHERE namespace = 'alpha'`);
    expect(() => unwrapDataKey(guess.current, rows[0]!.wrapped, 'alpha')).toThrow(DecryptError);
  });

  it('deleting a namespace forgets its ciphertexts, then its key with the namespace row', async () => {
    await secrets.deleteNamespace('alpha');
    expect((await sec.db.query(`SELECT 1 FROM secrets WHERE namespace = 'alpha'`)).rowCount).toBe(0);
    await main.db.query(`DELETE FROM namespaces WHERE name = 'alpha'`);
    expect(await readDataKey(main.db, keyring, 'alpha')).toBeUndefined();
    expect((await sec.db.query(`SELECT 1 FROM secrets WHERE namespace = 'alpha'`)).rowCount).toBe(0);
    await expect(secrets.resolve('alpha', ['API_TOKEN'])).rejects.toThrow(SecretNotFoundError);
  });
});

describe('Secrets over HTTP (a real socket on 127.0.0.1)', () => {
  let main: TestDb;
  let sec: TestDb;
  let app: FastifyInstance;
  let endpoint: string;
  const keyring: MasterKeys = { current: generateMasterKey(), previous: [] };

  beforeAll(async () => {
    main = await createTestDb('postgres', 2);
    sec = await createSecretsTestDb('postgres');
    await createNamespace(main.db, 'web');
    app = buildSecretsService({ db: sec.db, token: 'sock-token' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await main.drop();
    await sec.drop();
  });

  it('works like the local backend with the token', async () => {
    const backend = httpBackend(endpoint.replace('http://', ''), 'sock-token');
    try {
      const s = new Secrets({ mainDb: main.db, backend, keyring });
      await s.set('web', 'secret', 'A', 'value-a');
      await s.set('web', 'secret', 'B', 'value-b ✓');
      expect(await s.list('web', 'secret', { offset: 0, limit: 1 })).toEqual({ names: ['A'], total: 2 });
      expect(await s.resolve('web', ['A', 'B'])).toEqual({ A: 'value-a', B: 'value-b ✓' });
      await expect(s.resolve('web', ['C'])).rejects.toThrow(SecretNotFoundError);
      await expect(s.set('web', 'secret', 'X', 'x'.repeat(64 * 1024 + 1))).rejects.toThrow(InvalidSecretError);
      expect(await s.delete('web', 'secret', 'B')).toBe(true);
      const stored = await sec.db.query<{ ciphertext: Buffer }>(`SELECT ciphertext FROM secrets WHERE name = 'A'`);
      expect(stored.rows[0]!.ciphertext.includes(Buffer.from('value-a'))).toBe(false);
    } finally {
      backend.close();
    }
  });

  it('a wrong token or an unreachable service is SecretsUnavailableError', async () => {
    const wrong = httpBackend(endpoint, 'not-the-token');
    const s = new Secrets({ mainDb: main.db, backend: wrong, keyring });
    await expect(s.resolve('web', ['A'])).rejects.toThrow(SecretsUnavailableError);
    wrong.close();

    const dead = httpBackend('127.0.0.1:1', 'sock-token', { timeoutMs: 2000 });
    const d = new Secrets({ mainDb: main.db, backend: dead, keyring });
    await expect(d.resolve('web', ['A'])).rejects.toThrow(SecretsUnavailableError);
    await expect(d.set('web', 'secret', 'A', 'v')).rejects.toThrow(SecretsUnavailableError);
    dead.close();
  });

  it('a service that does not answer times out as SecretsUnavailableError', async () => {
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const slow = httpBackend(`http://127.0.0.1:${port}`, 'sock-token', { timeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(slow.fetch('web', 'secret', ['A'])).rejects.toThrow(/not reachable: no answer within 200 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      slow.close();
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
