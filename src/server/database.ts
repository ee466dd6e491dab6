import { mkdirSync } from 'node:fs';
import type { DbConfig } from '../config/index.js';
import { migrate, openPglite, openPostgres } from '../db/index.js';
import type { Db } from '../db/index.js';

/** Opens the configured database (PostgreSQL, or PGlite in its data directory) and migrates it. */
export async function openDatabase(cfg: DbConfig, poolSize: number, onError: (err: Error) => void): Promise<Db> {
  let db: Db;
  if (cfg.kind === 'pglite') {
    mkdirSync(cfg.path, { recursive: true });
    db = await openPglite(cfg.path);
  } else {
    db = await openPostgres({ connection: cfg.connection, poolSize, onError });
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
