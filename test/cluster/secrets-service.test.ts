/**
 * The secrets service as its own process: `direktiv -t s` on its own PostgreSQL database and
 * `direktiv -t w` on the main one behave like the single process `-t ws`; the service refuses
 * unauthenticated calls; killing it makes secret-using actions fail with the catchable
 * direktiv.secrets.unavailable while everything else goes on, and they work again once it is
 * back. Run with the shared token (generated into the main database) and with mutual TLS.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/secrets/index.js';
import { makeCertsDirectory, removeCertsDirectory } from '../helpers/certs.js';
import { createPostgresDatabase, dropPostgresDatabase } from '../helpers/db.js';
import { PG_ADMIN } from '../helpers/db-config.js';
import { connectionUrl, createClusterDb, killAllNodes, startNode, waitUntil } from './helpers.js';
import type { ClusterDb, ServerNode } from './helpers.js';

const PASSWORD = 's3cr3t-Password-4-the-vault';
const NS = 'vault';

const CHILD = `id: child
states:
- id: echo
  type: noop
`;
const USES_SECRET = `id: uses-secret
states:
- id: call
  type: action
  action:
    workflow: child
    secrets: [password]
    input: 'jq({length: (.secrets.password | length), prefix: (.secrets.password | .[0:4])})'
  catch:
  - error: direktiv.secrets.unavailable
    transition: unavailable
- id: unavailable
  type: noop
  transform: 'jq({unavailable: .error.code})'
`;
const PLAIN = `id: plain
states:
- id: a
  type: noop
  transform: 'jq({ok: true})'
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function api(base: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

async function run(base: string, wf: string) {
  const r = await api(base, 'POST', `/api/namespaces/${NS}/workflows/${wf}/execute?wait=true`, {});
  return { status: r.status, output: r.text ? (JSON.parse(r.text) as unknown) : undefined, code: r.headers.get('direktiv-errorcode') };
}

/** What a user does with secrets through the API, identical whatever the process layout. */
async function secretsRoundTrip(base: string) {
  expect((await api(base, 'PUT', `/api/namespaces/${NS}`)).status).toBe(201);
  for (const yaml of [CHILD, USES_SECRET, PLAIN]) {
    expect((await api(base, 'POST', `/api/namespaces/${NS}/workflows`, yaml, 'application/yaml')).status).toBe(201);
  }
  expect((await api(base, 'POST', `/api/namespaces/${NS}/secrets`, { name: 'password', data: PASSWORD })).status).toBe(200);
  const list = await api(base, 'GET', `/api/namespaces/${NS}/secrets`);
  expect(JSON.parse(list.text)).toMatchObject({ items: [{ name: 'password' }], total: 1 });
  expect(list.text).not.toContain(PASSWORD);

  const ok = await run(base, 'uses-secret');
  expect(ok.status).toBe(200);
  expect(ok.output).toMatchObject({ return: { length: PASSWORD.length, prefix: 's3cr' } });
  expect(JSON.stringify(ok.output)).not.toContain(PASSWORD);

  // Missing: uncatchable, so the catch of direktiv.secrets.unavailable does not apply.
  expect((await api(base, 'DELETE', `/api/namespaces/${NS}/secrets/password`)).status).toBe(204);
  const missing = await run(base, 'uses-secret');
  expect(missing.status).toBe(500);
  expect(missing.code).toBe('direktiv.secrets.notFound');
  expect((await api(base, 'POST', `/api/namespaces/${NS}/secrets`, { name: 'password', data: PASSWORD })).status).toBe(200);
}

/** Every row of every table of a PostgreSQL database as text (bytea as hex). */
async function dump(database: string): Promise<string> {
  const c = new pg.Client({ ...PG_ADMIN, database });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const out: string[] = [];
    for (const { t } of rows) out.push(...(await c.query<{ r: string }>(`SELECT x::text AS r FROM "${t}" x`)).rows.map((x) => x.r));
    return out.join('\n');
  } finally {
    await c.end();
  }
}

describe.each([
  { layout: 'token', certs: false },
  { layout: 'mutual TLS', certs: true },
])('-t w and -t s as two processes ($layout)', ({ certs }) => {
  let main: ClusterDb | undefined;
  let secretsDb: string | undefined;
  let certsDir: string | undefined;
  afterEach(killAllNodes);
  afterAll(async () => {
    await main?.drop();
    if (secretsDb) await dropPostgresDatabase(secretsDb);
    if (certsDir) removeCertsDirectory(certsDir);
  });

  it('work like one process; the service refuses strangers; killed, only secret-using actions fail (catchably) until it returns', async () => {
    main = await createClusterDb();
    secretsDb = (await createPostgresDatabase({ empty: true })).database!;
    const port = await freePort();
    const masterKey = generateMasterKey().toString('base64');
    const shared: Record<string, string> = {
      DIREKTIV_SECRETS_DB: connectionUrl(secretsDb, 'secrets-service'),
      DIREKTIV_SECRETS_BIND: `127.0.0.1:${port}`,
      DIREKTIV_SECRETS_ENDPOINT: `127.0.0.1:${port}`,
      DIREKTIV_SECRETS_KEY: masterKey,
    };
    if (certs) shared.DIREKTIV_CERTS = certsDir = makeCertsDirectory(['flow', 'secrets']);
    const startService = () => startNode(main!.name, { name: 'secrets', components: 's', env: shared });
    let service: ServerNode = await startService();
    const flow = await startNode(main.name, { name: 'flow', env: shared });
    expect(service.url).toBe(`${certs ? 'https' : 'http'}://127.0.0.1:${port}`);

    await secretsRoundTrip(flow.url);

    // Strangers: no token (or, with mutual TLS, no client certificate) gets nothing.
    if (!certs) {
      const anon = await fetch(`${service.url}/v1/namespaces/${NS}/secret/fetch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ names: ['password'] }),
      });
      expect(anon.status).toBe(401);
      const wrong = await fetch(`${service.url}/v1/namespaces/${NS}/secret`, { headers: { authorization: 'Bearer guessed' } });
      expect(wrong.status).toBe(401);
    } else {
      await expect(fetch(`${service.url}/v1/namespaces/${NS}/secret`)).rejects.toThrow();
    }

    // Neither database alone holds the value or the master key.
    const [mainDump, secretsDump] = await Promise.all([dump(main.name), dump(secretsDb)]);
    const hex = Buffer.from(masterKey, 'base64').toString('hex');
    for (const d of [mainDump, secretsDump]) {
      expect(d).not.toContain(PASSWORD);
      expect(d).not.toContain(Buffer.from(PASSWORD).toString('hex'));
      expect(d).not.toContain(masterKey);
      expect(d).not.toContain(hex);
    }
    expect(secretsDump).toContain('password');

    // The service goes away: secret-using actions fail catchably, everything else goes on.
    await service.kill('SIGKILL');
    const down = await run(flow.url, 'uses-secret');
    expect(down.status).toBe(200);
    expect(down.output).toMatchObject({ unavailable: 'direktiv.secrets.unavailable' });
    expect(await run(flow.url, 'plain')).toMatchObject({ status: 200, output: { ok: true } });
    const listDown = await api(flow.url, 'GET', `/api/namespaces/${NS}/secrets`);
    expect(listDown.status).toBe(503);
    expect(JSON.parse(listDown.text)).toMatchObject({ code: 503, message: expect.stringMatching(/secrets service/) as unknown });
    // A namespace with secrets is not deleted while they cannot be.
    expect((await api(flow.url, 'DELETE', `/api/namespaces/${NS}`)).status).toBe(503);
    expect((await api(flow.url, 'GET', `/api/namespaces/${NS}/workflows`)).status).toBe(200);

    // Back on the same address: the flow node recovers by itself.
    service = await startService();
    // (The first call may still find the old, dead keep-alive connection.)
    await waitUntil(async () => JSON.stringify((await run(flow.url, 'uses-secret')).output).includes('"return"'), 10_000, () => flow.tail());
    expect((await run(flow.url, 'uses-secret')).output).toMatchObject({ return: { length: PASSWORD.length } });

    // Deleting the namespace deletes its secrets in the service and its key in the main database.
    expect((await api(flow.url, 'DELETE', `/api/namespaces/${NS}`)).status).toBe(204);
    expect(await dump(secretsDb)).not.toContain('password');
    expect((await main.client.query(`SELECT 1 FROM namespace_keys WHERE namespace = $1`, [NS])).rowCount).toBe(0);
    expect(flow.errors()).toBe('');
  }, 120_000);
});

describe('-t ws as one process', () => {
  let main: ClusterDb | undefined;
  let secretsDb: string | undefined;
  afterEach(killAllNodes);
  afterAll(async () => {
    await main?.drop();
    if (secretsDb) await dropPostgresDatabase(secretsDb);
  });

  it('behaves the same through the API', async () => {
    main = await createClusterDb();
    secretsDb = (await createPostgresDatabase({ empty: true })).database!;
    const node = await startNode(main.name, {
      name: 'single',
      components: 'ws',
      env: {
        DIREKTIV_SECRETS_DB: connectionUrl(secretsDb, 'single-secrets'),
        DIREKTIV_SECRETS_BIND: '127.0.0.1:0',
      },
    });
    await secretsRoundTrip(node.url);
    expect(node.errors()).toBe('');
  }, 60_000);
});
