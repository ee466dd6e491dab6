/**
 * Credentials the server generates when none is configured, kept in the main database's
 * settings so that every node and every restart agrees on them.
 * - The API key (secure by default, architecture.md): a public API on a non-loopback address
 *   with no key configured gets one.
 * - The component token: flow nodes present it to the secrets service when no
 *   `[secretsAPI] Token` and no mutual TLS is configured.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** The stored value of `key`, creating it on first use; `created` tells whether this call made it. */
async function ensureGenerated(db: Db, key: string, bytes: number): Promise<{ value: string; created: boolean }> {
  const r = await db.query<{ value: string; created: boolean }>(
    `WITH ins AS (INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value)
     SELECT value, true AS created FROM ins
     UNION ALL SELECT value, false FROM settings WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
    [key, randomBytes(bytes).toString('base64url')],
  );
  return r.rows[0]!;
}

export async function ensureApiKey(db: Db): Promise<{ key: string; created: boolean }> {
  const { value, created } = await ensureGenerated(db, 'api_key', 24);
  return { key: value, created };
}

export async function ensureComponentToken(db: Db): Promise<string> {
  return (await ensureGenerated(db, 'component_token', 32)).value;
}

/**
 * The token two components present to each other: the configured one, else the one generated
 * into the main database they share (undefined without either: mutual TLS must do).
 */
export async function componentToken(configured: string | undefined, mainDb: Db | undefined): Promise<string | undefined> {
  return configured ?? (mainDb ? await ensureComponentToken(mainDb) : undefined);
}
