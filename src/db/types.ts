/** The narrow database interface every module uses: PostgreSQL (pg) and PGlite both implement it. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** The handle of a transaction. */
export interface Tx extends Queryable {
  /**
   * Runs a statement at the end of the transaction, just before its commit, and hands its result
   * to `onResult` once committed. On PostgreSQL these statements travel with the COMMIT, in one
   * round trip; if one fails, the transaction is rolled back and `tx` rejects with its error.
   */
  beforeCommit<R = Record<string, unknown>>(text: string, params: unknown[], onResult?: (r: QueryResult<R>) => void): void;
}

export interface TxOptions {
  /**
   * Its prepared statements run their generic plan instead of being planned again on every call
   * (PostgreSQL plans a statement over arrays of values anew each time, since the arrays' sizes
   * change its estimates): for transactions whose statements find rows by key, where the plan
   * does not depend on the values. PGlite keeps no prepared statements; it ignores this.
   */
  planOnce?: boolean;
}

export type Notify = (payload: string) => void;

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** How many transactions can usefully run at once (PGlite has a single connection). */
  readonly concurrency: number;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: Tx) => Promise<T>, opts?: TxOptions): Promise<T>;
  /**
   * Subscribes to a NOTIFY channel. `onReconnect` runs after the listening connection was
   * lost and restored, since notifications sent meanwhile are gone.
   */
  listen(channel: string, onNotify: Notify, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
