import pg from 'pg';
import type { Db, Notify, Queryable, QueryResult } from './types.js';

export interface PostgresOptions {
  connection: pg.ClientConfig;
  poolSize?: number;
  onError?: (err: Error) => void;
}

// int8 (count(*), bigserial ids) as numbers, like PGlite returns them; our ids stay far below 2^53.
const parseInt8 = (v: string) => Number(v);
const types = {
  getTypeParser: ((oid: number, format?: 'text') =>
    oid === 20 ? parseInt8 : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/**
 * Parameterised statements run as named prepared statements: each connection parses and plans
 * a statement once instead of on every call, which is most of the server's work for the short
 * statements of a step. Names are per statement text; the number of texts is bounded (the code
 * builds a fixed set), and past the bound statements simply run unnamed.
 */
const names = new Map<string, string>();
const MAX_NAMED = 2_000;

function statement(text: string, values: unknown[] | undefined): pg.QueryConfig {
  if (values === undefined || values.length === 0) return { text };
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return { text, values };
    name = `d${names.size}`;
    names.set(text, name);
  }
  return { name, text, values };
}

export async function openPostgres(opts: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({ ...opts.connection, max: opts.poolSize ?? 10, types });
  const onError = opts.onError ?? (() => undefined);
  pool.on('error', onError);
  // Fail fast with the driver's own message (wrong host, auth, database).
  const probe = await pool.connect();
  probe.release();
  const listener = new Listener(opts.connection, onError);

  const query = async <R>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
    const r = await pool.query(statement(text, params));
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  };

  return {
    kind: 'postgres',
    concurrency: opts.poolSize ?? 10,
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      const q: Queryable = {
        exec: async (sql) => {
          await client.query(sql);
        },
        query: async <R>(text: string, params?: unknown[]) => {
          const r = await client.query(statement(text, params));
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
      };
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(q);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    listen: (channel, onNotify, onReconnect) => listener.listen(channel, onNotify, onReconnect),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

/** One dedicated LISTEN connection per process, reconnected with backoff and jitter. */
class Listener {
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private readonly subs = new Map<string, Set<{ onNotify: Notify; onReconnect?: () => void }>>();
  private closed = false;
  private retryMs = 100;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly onError: (err: Error) => void,
  ) {}

  async listen(channel: string, onNotify: Notify, onReconnect?: () => void) {
    const sub = { onNotify, onReconnect };
    let set = this.subs.get(channel);
    const first = !set;
    if (!set) this.subs.set(channel, (set = new Set()));
    set.add(sub);
    const client = await this.connect();
    if (first) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return async () => {
      set.delete(sub);
      if (set.size === 0 && this.subs.get(channel) === set) {
        this.subs.delete(channel);
        if (this.client && !this.closed) await this.client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`);
      }
    };
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client(this.connection);
      client.on('notification', (msg) => {
        for (const s of this.subs.get(msg.channel) ?? []) s.onNotify(msg.payload ?? '');
      });
      client.on('error', (err) => {
        this.onError(err);
        this.lost(client);
      });
      client.on('end', () => this.lost(client));
      await client.connect();
      for (const ch of this.subs.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(ch)}`);
      this.client = client;
      this.connecting = undefined;
      this.retryMs = 100;
      return client;
    })().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  private lost(client: pg.Client) {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.closed) return;
    const delay = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    setTimeout(() => {
      this.connect()
        .then(() => {
          for (const set of this.subs.values()) for (const s of set) s.onReconnect?.();
        })
        .catch(() => this.lost(client));
    }, delay).unref();
  }

  async close() {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
