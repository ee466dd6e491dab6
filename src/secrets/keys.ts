/**
 * Namespace data keys, kept in the MAIN database (table namespace_keys), each wrapped by the
 * master key. The unwrapped key exists only in this process's memory while it is used.
 */
import type { Db, Queryable } from '../db/index.js';
import { NamespaceNotFoundError } from '../namespaces/index.js';
import { generateDataKey, keyId, unwrapWithAny, wrapDataKey } from './crypto.js';
import type { MasterKeys } from './crypto.js';

interface KeyRow {
  namespace: string;
  key_id: string;
  wrapped: Uint8Array;
}

/** bytea comes back as a Buffer from pg and as a Uint8Array from PGlite. */
export const toBuffer = (v: Uint8Array): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

/** The namespace's data key, or undefined when it has none yet (nothing was ever stored). */
export async function readDataKey(q: Queryable, keyring: MasterKeys, namespace: string): Promise<Buffer | undefined> {
  const { rows } = await q.query<KeyRow>('SELECT namespace, key_id, wrapped FROM namespace_keys WHERE namespace = $1', [namespace]);
  const row = rows[0];
  return row ? unwrapWithAny(keyring, toBuffer(row.wrapped), row.key_id, namespace) : undefined;
}

/**
 * The namespace's data key, created on first use. INSERT … ON CONFLICT DO NOTHING and a re-read,
 * so two nodes creating it at once both end up with the one that was stored.
 * NamespaceNotFoundError when the namespace does not exist (the foreign key refuses the row).
 */
export async function dataKeyFor(q: Queryable, keyring: MasterKeys, namespace: string): Promise<Buffer> {
  const existing = await readDataKey(q, keyring, namespace);
  if (existing) return existing;
  const dataKey = generateDataKey();
  // INSERT … SELECT: no row (rather than a foreign-key error that would abort the caller's
  // transaction) when the namespace does not exist.
  await q.query(
    `INSERT INTO namespace_keys (namespace, key_id, wrapped)
     SELECT name, $2, $3 FROM namespaces WHERE name = $1
     ON CONFLICT (namespace) DO NOTHING`,
    [namespace, keyId(keyring.current), wrapDataKey(keyring.current, dataKey, namespace)],
  );
  dataKey.fill(0);
  const stored = await readDataKey(q, keyring, namespace);
  if (!stored) throw new NamespaceNotFoundError(namespace);
  return stored;
}

/** Whether the namespace has a key, i.e. ever stored a value. */
export async function hasDataKey(q: Queryable, namespace: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM namespace_keys WHERE namespace = $1', [namespace]);
  return r.rowCount > 0;
}

export interface RotationResult {
  /** keys re-wrapped by this run */
  rewrapped: number;
  /** the fingerprint of the new master key */
  keyId: string;
}

/**
 * Re-wraps every namespace key that is not yet wrapped by `newKey`, in batches of `batchSize`
 * rows, each batch one transaction with its rows locked FOR UPDATE. `keyring` must hold the
 * keys the rows are wrapped with now (normally the old key as current or previous). Restartable:
 * rows done already are skipped. Nodes that have the old key in `previous` keep working meanwhile.
 */
export async function rotateMasterKey(db: Db, keyring: MasterKeys, newKey: Buffer, batchSize = 100): Promise<RotationResult> {
  const newId = keyId(newKey);
  const ring: MasterKeys = { current: newKey, previous: [keyring.current, ...keyring.previous] };
  let rewrapped = 0;
  let after = '';
  for (;;) {
    const done = await db.tx(async (q) => {
      const { rows } = await q.query<KeyRow>(
        `SELECT namespace, key_id, wrapped FROM namespace_keys
         WHERE key_id <> $1 AND namespace > $2 ORDER BY namespace LIMIT $3 FOR UPDATE`,
        [newId, after, batchSize],
      );
      for (const row of rows) {
        const dataKey = unwrapWithAny(ring, toBuffer(row.wrapped), row.key_id, row.namespace);
        await q.query('UPDATE namespace_keys SET key_id = $2, wrapped = $3, rotated_at = now() WHERE namespace = $1', [
          row.namespace,
          newId,
          wrapDataKey(newKey, dataKey, row.namespace),
        ]);
        dataKey.fill(0);
      }
      if (rows.length > 0) after = rows[rows.length - 1]!.namespace;
      rewrapped += rows.length;
      return rows.length < batchSize;
    });
    if (done) return { rewrapped, keyId: newId };
  }
}
