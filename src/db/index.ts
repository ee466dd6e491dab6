export type { Db, Queryable, QueryResult, Notify, Tx, TxOptions } from './types.js';
export { openPostgres } from './postgres.js';
export type { PostgresOptions } from './postgres.js';
export { openPglite, wrapPglite } from './pglite.js';
export { migrate, loadMigrations } from './migrate.js';
export type { Migration } from './migrate.js';
export { isTransient, retryTransient } from './retry.js';
