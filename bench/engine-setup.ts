/**
 * What the engine benchmarks share: a throw-away PostgreSQL database (or PGlite data directory),
 * the whole system started in-process with its logs silenced, a keep-alive HTTP client, the raw
 * single-row transaction the engine is compared with, and a statement counter on the pg driver.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { migrate, openPostgres } from '../src/db/index.js';
import type { Db, Queryable } from '../src/db/index.js';
import { startDirektiv } from '../src/server/main.js';
import type { Running } from '../src/server/main.js';

/** The machine's PostgreSQL, as the tests use it (trust auth); PG* variables override. */
export const PG_ADMIN: pg.ClientConfig = {
  host: process.env['PGHOST'] ?? '127.0.0.1',
  port: Number(process.env['PGPORT'] ?? 5432),
  user: process.env['PGUSER'] ?? 'postgres',
  database: process.env['BENCH_PG_ADMIN_DB'] ?? 'postgres',
};

/** The raw baseline's table, created next to the engine's in the bench database. */
const RAW_TABLE = `CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, n int NOT NULL, data jsonb NOT NULL)`;

export interface BenchDatabase {
  name: string;
  /** the connection string for DIREKTIV_DB */
  url: string;
  connection: pg.ClientConfig;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(PG_ADMIN);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `CREATE DATABASE direktiv_bench_<random>`, migrated, with the raw baseline's table. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `direktiv_bench_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const connection: pg.ClientConfig = { ...PG_ADMIN, database: name };
  const drop = () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  try {
    const db = await openPostgres({ connection, poolSize: 1 });
    try {
      await migrate(db);
      await db.exec(RAW_TABLE);
    } finally {
      await db.close();
    }
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  const auth = encodeURIComponent(String(PG_ADMIN.user));
  return { name, url: `postgres://${auth}@${PG_ADMIN.host}:${PG_ADMIN.port}/${name}`, connection, drop };
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
export async function postgresProblem(): Promise<string | undefined> {
  try {
    await admin((c) => c.query('SELECT 1'));
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${PG_ADMIN.host}:${PG_ADMIN.port} unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export interface System {
  running: Running;
  /** the API's base URL */
  url: string;
  stop(): Promise<void>;
}

/**
 * startDirektiv in this process, on PostgreSQL (`pgUrl`) or on PGlite in a fresh directory under
 * the system's temp directory (removed by stop()); API on a free loopback port, logs silent.
 */
export async function startSystem(opts: { pgUrl?: string; workers?: number }): Promise<System> {
  const dataDir = opts.pgUrl === undefined ? mkdtempSync(join(tmpdir(), 'direktiv-bench-')) : undefined;
  const env: Record<string, string> = { DIREKTIV_INGRESS_BIND: '127.0.0.1:0' };
  if (opts.pgUrl !== undefined) env['DIREKTIV_DB'] = opts.pgUrl;
  if (dataDir !== undefined) env['DIREKTIV_DATA'] = dataDir;
  if (opts.workers !== undefined) env['DIREKTIV_ENGINE_WORKERS'] = String(opts.workers);
  const config = loadConfig({ components: ['w'], env });
  let running: Running;
  try {
    running = await startDirektiv(config, pino({ level: 'silent' }));
  } catch (err) {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    running,
    url: running.flow!.url,
    async stop() {
      try {
        await running.stop();
      } finally {
        if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** The configured worker count of a running system (the config's default when not given). */
export const workersOf = (s: System): number => s.running.flow!.engine.deps.settings.workers;

// ---------------------------------------------------------------------------------------------
// HTTP

export interface HttpResponse {
  status: number;
  body: string;
}

/** Sequential requests over one kept-alive connection (node:http, no fetch overhead). */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly base: URL;

  constructor(base: string) {
    this.base = new URL(base);
  }

  request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (body !== undefined) {
        headers['content-type'] = contentType;
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** As request(), but a status other than `expect` is an error. */
  async expect(status: number, method: string, path: string, body?: string, contentType?: string): Promise<string> {
    const r = await this.request(method, path, body, contentType);
    if (r.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${r.status}: ${r.body.slice(0, 300)}`);
    return r.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Creates the namespace and the workflow through the public API. */
export async function deploy(http: HttpClient, ns: string, yaml: string): Promise<void> {
  const r = await http.request('PUT', `/api/namespaces/${ns}`);
  if (r.status !== 200 && r.status !== 201 && r.status !== 409) {
    throw new Error(`PUT /api/namespaces/${ns}: ${r.status}: ${r.body.slice(0, 300)}`);
  }
  await http.expect(201, 'POST', `/api/namespaces/${ns}/workflows`, yaml, 'application/yaml');
}

// ---------------------------------------------------------------------------------------------
// The raw baseline: one single-row insert-and-update transaction

export const RAW_TX_DESCRIPTION = 'BEGIN; INSERT a row; UPDATE it; COMMIT';

const RAW_DATA = JSON.stringify({ n: 0 });

/** One raw transaction on a pg client (four round trips, parameters as the engine sends them). */
export async function rawTx(c: pg.Client, notify = false): Promise<void> {
  await c.query('BEGIN');
  try {
    const r = await c.query<{ id: string }>('INSERT INTO bench_raw (n, data) VALUES (0, $1::jsonb) RETURNING id', [RAW_DATA]);
    await c.query('UPDATE bench_raw SET n = n + 1 WHERE id = $1', [r.rows[0]!.id]);
    if (notify) await c.query(`SELECT pg_notify('bench_raw', '')`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The same transaction through the Db interface (PGlite has no pg client). */
export async function rawDbTx(db: Db): Promise<void> {
  await db.tx(async (q: Queryable) => {
    const r = await q.query<{ id: number }>('INSERT INTO bench_raw (n, data) VALUES (0, $1::jsonb) RETURNING id', [RAW_DATA]);
    await q.query('UPDATE bench_raw SET n = n + 1 WHERE id = $1', [r.rows[0]!.id]);
  });
}

export async function createRawTable(db: Queryable): Promise<void> {
  await db.exec(RAW_TABLE);
}

export async function connectClients(connection: pg.ClientConfig, n: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = new pg.Client(connection);
      await c.connect();
      clients.push(c);
    }
  } catch (err) {
    await closeClients(clients);
    throw err;
  }
  return clients;
}

export async function closeClients(clients: pg.Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
}

/**
 * Every client loops over the raw transaction until `durationMs` has passed (a transaction
 * begun before the deadline finishes); returns the committed count and the elapsed time.
 */
export async function rawThroughput(
  clients: pg.Client[],
  durationMs: number,
  notify = false,
): Promise<{ tx: number; elapsedMs: number }> {
  let tx = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < deadline) {
        await rawTx(c, notify);
        tx++;
      }
    }),
  );
  return { tx, elapsedMs: performance.now() - start };
}

// ---------------------------------------------------------------------------------------------
// Counting what the engine sends to PostgreSQL

export interface StatementStat {
  count: number;
  totalMs: number;
}

/**
 * Counts the statements every pg client of this process sends while `on` (the engine's pool and
 * its LISTEN connection use the same `pg` module). With `timed`, also the time from sending a
 * statement to its answer, per statement text.
 */
export class StatementCounter {
  on = false;
  statements = 0;
  commits = 0;
  readonly byText = new Map<string, StatementStat>();
  private restore?: () => void;

  constructor(readonly timed: boolean) {}

  install(): this {
    type QueryFn = (this: unknown, ...args: unknown[]) => unknown;
    const proto = pg.Client.prototype as unknown as { query: QueryFn };
    const original = proto.query;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const counter = this;
    proto.query = function (this: unknown, ...args: unknown[]): unknown {
      if (!counter.on) return original.apply(this, args);
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '?');
      counter.statements++;
      if (/(^|;)COMMIT$/.test(text)) counter.commits++;
      if (!counter.timed) return original.apply(this, args);
      const t0 = performance.now();
      const done = () => counter.record(text, performance.now() - t0);
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        const cb = last as (...a: unknown[]) => unknown;
        args[args.length - 1] = (...a: unknown[]) => {
          done();
          return cb(...a);
        };
        return original.apply(this, args);
      }
      const r = original.apply(this, args);
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(done, done);
      return r;
    };
    this.restore = () => {
      proto.query = original;
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  reset(): void {
    this.statements = 0;
    this.commits = 0;
    this.byText.clear();
  }

  private record(text: string, ms: number): void {
    // Values written into the text (EXECUTE of a prepared statement) are not part of its shape.
    const key = text.replace(/ ?E?'(?:[^']|'')*'/g, "'…'").replace(/\s+/g, ' ').trim().slice(0, 70);
    const s = this.byText.get(key) ?? { count: 0, totalMs: 0 };
    s.count++;
    s.totalMs += ms;
    this.byText.set(key, s);
  }
}

/** The counter's statements by total time: count per `unit` and mean time from send to answer. */
export function profileLines(counter: StatementCounter, units: number, unit: string, top = 12): string[] {
  const stats = [...counter.byText.entries()].sort((a, b) => b[1].totalMs - a[1].totalMs).slice(0, top);
  return [
    `  statements per ${unit}, mean µs from send to answer, text:`,
    ...stats.map(
      ([text, s]) => `    ${(s.count / units).toFixed(3).padStart(8)}  ${fmt((s.totalMs * 1000) / s.count).padStart(7)}  ${text}`,
    ),
  ];
}

/** Progress on stderr (the tables go to stdout): with BENCH_PROGRESS=1 or a terminal. */
export function progress(msg: string): void {
  if (process.env['BENCH_PROGRESS'] === '1' || process.stderr.isTTY) process.stderr.write(`  … ${msg}\n`);
}

/** The machine's load when a suite starts: figures from a busy machine are worth less. */
export function loadNote(): string {
  return `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs at start`;
}

export const profiling = (): boolean => process.env['BENCH_ENGINE_PROFILE'] === '1';

export const fmt = (n: number, digits = 3): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(digits));
export const passMiss = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
