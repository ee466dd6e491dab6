/**
 * Secure by default (architecture.md): a public API on a non-loopback address with no key
 * configured gets a generated key, kept in the database so every node and restart agrees.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** The stored key, creating it on first use; `created` tells whether this call made it. */
export async function ensureApiKey(db: Db): Promise<{ key: string; created: boolean }> {
  const key = randomBytes(24).toString('base64url');
  const r = await db.query<{ value: string; created: boolean }>(
    `WITH ins AS (INSERT INTO settings (key, value) VALUES ('api_key', $1) ON CONFLICT (key) DO NOTHING RETURNING value)
     SELECT value, true AS created FROM ins
     UNION ALL SELECT value, false FROM settings WHERE key = 'api_key' AND NOT EXISTS (SELECT 1 FROM ins)`,
    [key],
  );
  const row = r.rows[0]!;
  return { key: row.value, created: row.created };
}
