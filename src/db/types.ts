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

export type Notify = (payload: string) => void;

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** How many transactions can usefully run at once (PGlite has a single connection). */
  readonly concurrency: number;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a NOTIFY channel. `onReconnect` runs after the listening connection was
   * lost and restored, since notifications sent meanwhile are gone.
   */
  listen(channel: string, onNotify: Notify, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
