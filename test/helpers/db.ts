/**
 * A fresh, migrated database per test file, on either backend: a PostgreSQL database created
 * from the template that test/global-setup.ts built, or an in-memory PGlite loaded from its
 * snapshot. `describe.each(BACKENDS)` runs a suite on both.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openPglite, openPostgres } from '../../src/db/index.js';
import type { Db } from '../../src/db/index.js';
import { PG_ADMIN, templateName } from './db-config.js';

export type Backend = 'postgres' | 'pglite';
export const BACKENDS: Backend[] = ['postgres', 'pglite'];

export interface TestDb {
  db: Db;
  /** connection settings of the PostgreSQL database (for child processes); undefined on PGlite */
  connection?: pg.ClientConfig;
  drop(): Promise<void>;
}

export async function createTestDb(backend: Backend, poolSize = 10): Promise<TestDb> {
  if (backend === 'pglite') {
    const snapshot = readFileSync(process.env.DIREKTIV_TEST_PGLITE_SNAPSHOT!);
    const db = await openPglite(undefined, new Blob([snapshot]));
    return { db, drop: () => db.close() };
  }
  const connection = await createPostgresDatabase();
  const db = await openPostgres({ connection, poolSize });
  return {
    db,
    connection,
    async drop() {
      await db.close();
      await dropPostgresDatabase(connection.database!);
    },
  };
}

/**
 * An empty copy of the migrated template on the machine's PostgreSQL, or with `empty` a
 * database with no tables at all (e.g. for the secrets service, which migrates its own).
 */
export async function createPostgresDatabase(opts: { empty?: boolean } = {}): Promise<pg.ClientConfig> {
  const name = `direktiv_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(PG_ADMIN);
  await admin.connect();
  try {
    const template = opts.empty ? 'template0' : templateName(process.env.DIREKTIV_TEST_FINGERPRINT!);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return { ...PG_ADMIN, database: name };
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  const admin = new pg.Client(PG_ADMIN);
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
