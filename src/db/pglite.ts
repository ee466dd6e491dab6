import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult, Tx } from './types.js';

/**
 * The embedded default: PostgreSQL compiled to WebAssembly, in a data directory. Same SQL, same
 * migrations; one connection, so transactions run one at a time.
 */
export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Db> {
  const db = await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {});
  return wrapPglite(db);
}

export function wrapPglite(db: PGlite): Db {
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    exec: async (sql) => {
      await q.exec(sql);
    },
    query: async <R>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
      const r = await q.query<R>(text, params);
      // PGlite reports 0 affected rows for a SELECT; pg's rowCount is the rows it returned.
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
  });
  const top = wrap(db);
  return {
    kind: 'pglite',
    concurrency: 1,
    query: (text, params) => top.query(text, params),
    exec: (sql) => top.exec(sql),
    async tx<T>(fn: (q: Tx) => Promise<T>): Promise<T> {
      const tail: { text: string; params: unknown[]; onResult?: (r: QueryResult<never>) => void; r?: QueryResult<never> }[] = [];
      const result = await db.transaction(async (t) => {
        const q = wrap(t);
        const value = await fn({ ...q, beforeCommit: (text, params, onResult) => void tail.push({ text, params, onResult: onResult as never }) });
        for (const s of tail) s.r = await q.query<never>(s.text, s.params);
        return value;
      });
      for (const s of tail) s.onResult?.(s.r!);
      return result;
    },
    async listen(channel, onNotify) {
      const unsub = await db.listen(channel, onNotify);
      return unsub;
    },
    close: () => db.close(),
  };
}
