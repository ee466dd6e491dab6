/**
 * Runs once before the test files: builds the migrated templates every test database is
 * copied from (a PostgreSQL template database and a PGlite data-directory snapshot), so a
 * test file gets a fresh database in milliseconds instead of running initdb and migrations.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { loadMigrations, migrate, wrapPglite, openPostgres } from '../src/db/index.js';
import { PG_ADMIN, templateName } from './helpers/db-config.js';

export default async function setup(): Promise<void> {
  const fingerprint = createHash('sha256')
    .update(loadMigrations().map((m) => m.name + m.sql).join('\n'))
    .digest('hex')
    .slice(0, 12);
  process.env.DIREKTIV_TEST_FINGERPRINT = fingerprint;
  await buildPostgresTemplate(fingerprint);
  process.env.DIREKTIV_TEST_PGLITE_SNAPSHOT = await buildPgliteSnapshot(fingerprint);
}

async function buildPostgresTemplate(fingerprint: string) {
  const admin = new pg.Client(PG_ADMIN);
  await admin.connect();
  try {
    const name = templateName(fingerprint);
    await admin.query('SELECT pg_advisory_lock(4242)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${name}`);
      const db = await openPostgres({ connection: { ...PG_ADMIN, database: name }, poolSize: 2 });
      await migrate(db);
      await db.close();
    }
    await admin.query('SELECT pg_advisory_unlock(4242)');
  } finally {
    await admin.end();
  }
}

async function buildPgliteSnapshot(fingerprint: string): Promise<string> {
  const dir = join(tmpdir(), 'direktiv-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pglite-${fingerprint}.tar.gz`);
  if (existsSync(file)) return file;
  const lite = await PGlite.create();
  await migrate(wrapPglite(lite));
  const blob = await lite.dumpDataDir('gzip');
  writeFileSync(file + '.tmp', Buffer.from(await blob.arrayBuffer()));
  const { renameSync } = await import('node:fs');
  renameSync(file + '.tmp', file);
  await lite.close();
  return file;
}
