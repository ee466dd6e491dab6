/**
 * Two separate test databases: the main one (migrated template, with namespace_keys) and the
 * secrets service's own, made from another fresh test database whose schema is emptied and
 * migrated with sql/secrets-migrations (its schema_migrations versions would collide otherwise).
 */
import { migrateSecretsDb } from '../../src/secrets/index.js';
import { createTestDb } from '../helpers/db.js';
import type { Backend, TestDb } from '../helpers/db.js';

export async function createSecretsTestDb(backend: Backend): Promise<TestDb> {
  const t = await createTestDb(backend, 4);
  await t.db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await migrateSecretsDb(t.db);
  return t;
}

/** Every row of every table, as text (bytea as \x hex), for leak checks. */
export async function dumpAll(t: TestDb): Promise<string> {
  const { rows } = await t.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const parts: string[] = [];
  for (const { table_name } of rows) {
    const r = await t.db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
    parts.push(`${table_name}:`, ...r.rows.map((x) => x.row));
  }
  return parts.join('\n');
}
