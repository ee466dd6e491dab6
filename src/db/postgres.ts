import pg from 'pg';
import { literals } from './inline.js';
import type { Db, Notify, QueryResult, Tx, TxOptions } from './types.js';

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

/** The names prepared on each connection (by a statement that ran through the extended protocol). */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

async function runExtended(client: pg.PoolClient, text: string, params?: unknown[]): Promise<pg.QueryResult> {
  const cfg = statement(text, params);
  const r = await client.query(cfg);
  if (cfg.name !== undefined) {
    let names = preparedOn.get(client);
    if (!names) preparedOn.set(client, (names = new Set()));
    names.add(cfg.name);
  }
  return r;
}

/**
 * The statement as text for the simple protocol, when it can be one without losing its prepared
 * plan: its EXECUTE when this connection has prepared it (and its values are not too long to
 * write in), the text itself when it has no values.
 */
function asSimple(client: pg.PoolClient, text: string, params?: unknown[]): string | undefined {
  if (params === undefined || params.length === 0) return text;
  const name = names.get(text);
  if (name === undefined || !preparedOn.get(client)?.has(name)) return undefined;
  const values = literals(params);
  return values && `EXECUTE ${name}(${values.join(',')})`;
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
    async tx<T>(fn: (q: Tx) => Promise<T>, opts?: TxOptions): Promise<T> {
      const client = await pool.connect();
      const t = new Transaction(client, opts?.planOnce ? ['BEGIN', 'SET LOCAL plan_cache_mode = force_generic_plan'] : ['BEGIN']);
      let broken = false;
      let result: T;
      try {
        result = await fn(t);
        await t.commit();
      } catch (err) {
        broken = !(await t.rollback());
        throw err;
      } finally {
        client.release(broken);
      }
      t.handOver();
      return result;
    },
    listen: (channel, onNotify, onReconnect) => listener.listen(channel, onNotify, onReconnect),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

interface Queued {
  text: string;
  params: unknown[];
  onResult?: (r: QueryResult<never>) => void;
  result?: pg.QueryResult;
}

/**
 * A transaction on one connection. BEGIN travels with its first statement, and the statements
 * queued by beforeCommit with its COMMIT, as one simple-protocol text each (a prepared statement
 * as its EXECUTE): two round trips fewer than BEGIN and COMMIT on their own. A statement the
 * connection has not prepared yet goes on its own through the extended protocol, which prepares
 * it for the next time.
 */
class Transaction implements Tx {
  private begun = false;
  private readonly tail: Queued[] = [];

  /** `opening`: the statements that open the transaction (BEGIN, and settings of the transaction). */
  constructor(
    private readonly client: pg.PoolClient,
    private readonly opening: string[],
  ) {}

  async exec(sql: string): Promise<void> {
    await this.send(sql);
  }

  async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.send(text, params);
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  beforeCommit<R>(text: string, params: unknown[], onResult?: (r: QueryResult<R>) => void): void {
    this.tail.push({ text, params, onResult: onResult as ((r: QueryResult<never>) => void) | undefined });
  }

  private async send(text: string, params?: unknown[]): Promise<pg.QueryResult> {
    if (this.begun) return runExtended(this.client, text, params);
    const simple = asSimple(this.client, text, params);
    if (simple === undefined) {
      await this.open();
      return runExtended(this.client, text, params);
    }
    return (await this.script([simple], false))[0]!;
  }

  private async open(): Promise<void> {
    if (this.begun) return;
    this.begun = true;
    await this.client.query(this.opening.join(';'));
  }

  /** Statements in one text, after BEGIN if none was sent, before COMMIT if `commit`: their results. */
  private async script(texts: string[], commit: boolean): Promise<pg.QueryResult[]> {
    const opening = this.begun ? [] : this.opening;
    const all = [...opening, ...texts, ...(commit ? ['COMMIT'] : [])];
    this.begun = true;
    const r = (await this.client.query(all.join(';'))) as unknown as pg.QueryResult[] | pg.QueryResult;
    return (Array.isArray(r) ? r : [r]).slice(opening.length, opening.length + texts.length);
  }

  /** Runs the queued statements in order, consecutive simple ones together, the last with COMMIT. */
  async commit(): Promise<void> {
    let together: { q: Queued; text: string }[] = [];
    const sendTogether = async (commit: boolean) => {
      const results = await this.script(together.map((x) => x.text), commit);
      together.forEach((x, i) => (x.q.result = results[i]));
      together = [];
    };
    for (const q of this.tail) {
      const simple = asSimple(this.client, q.text, q.params);
      if (simple !== undefined) {
        together.push({ q, text: simple });
        continue;
      }
      if (together.length > 0) await sendTogether(false);
      await this.open();
      q.result = await runExtended(this.client, q.text, q.params);
    }
    // A transaction that sent nothing has nothing to commit.
    if (this.begun || together.length > 0) await sendTogether(true);
  }

  /** False when the connection could not roll back (it is then not reused). */
  async rollback(): Promise<boolean> {
    if (!this.begun) return true;
    try {
      await this.client.query('ROLLBACK');
      return true;
    } catch {
      return false;
    }
  }

  /** After the commit: the queued statements' results to their callbacks. */
  handOver(): void {
    for (const q of this.tail) q.onResult?.({ rows: q.result!.rows as never[], rowCount: q.result!.rowCount ?? 0 });
  }
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
