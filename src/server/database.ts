import { mkdirSync } from 'node:fs';
import type { DbConfig } from '../config/index.js';
import { migrate, openPglite, openPostgres } from '../db/index.js';
import type { Db } from '../db/index.js';

/**
 * Opens a configured database (PostgreSQL, or PGlite in its data directory) and migrates it:
 * with the main migrations unless told otherwise (the secrets database has its own).
 */
export async function openDatabase(
  cfg: DbConfig,
  poolSize: number,
  onError: (err: Error) => void,
  migrateDb: (db: Db) => Promise<unknown> = migrate,
): Promise<Db> {
  let db: Db;
  if (cfg.kind === 'pglite') {
    mkdirSync(cfg.path, { recursive: true });
    db = await openPglite(cfg.path);
  } else {
    db = await openPostgres({ connection: cfg.connection, poolSize, onError });
  }
  try {
    await migrateDb(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

export const describeDatabase = (cfg: DbConfig): string =>
  cfg.kind === 'pglite'
    ? `embedded PGlite in ${cfg.path}`
    : `PostgreSQL at ${cfg.connection.host ?? 'localhost'}:${cfg.connection.port ?? 5432}${cfg.connection.database ? `/${cfg.connection.database}` : ''}`;
