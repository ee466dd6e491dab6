/**
 * Variable values: bytes plus a MIME type, stored in 1 MiB rows of variable_chunks so that no
 * value has to sit in memory whole. Writing gives the variable a fresh id (after deleting its old
 * chunks), so a reader streaming the previous value chunk by chunk finds its chunks gone and fails
 * instead of mixing two values.
 */
import type { Queryable } from '../db/index.js';
import { checkKey, normalizeMimeType } from './keys.js';
import type { VariableRef, VariableScope } from './keys.js';

export const CHUNK_SIZE = 1024 * 1024;

export interface VariableInfo {
  name: string;
  size: number;
  mimeType: string;
  updatedAt: string;
}

export interface VariableValue {
  data: Buffer;
  mimeType: string;
  size: number;
}

interface InfoRow {
  key: string;
  size: number;
  mime_type: string;
  updated_at: Date;
}

export const toInfo = (r: InfoRow): VariableInfo => ({
  name: r.key,
  size: Number(r.size),
  mimeType: r.mime_type,
  updatedAt: r.updated_at.toISOString(),
});

/**
 * Chunks cross the driver as base64 text (`decode`/`encode` in SQL): PGlite converts bytea
 * parameters and results about fifteen times slower than base64 strings, and for pg the cost is
 * about the same either way.
 */
export const CHUNK_SELECT = "encode(data, 'base64') AS data";

export const fromBase64 = (data: string): Buffer => Buffer.from(data, 'base64');

const toBase64 = (data: Uint8Array): string =>
  (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString('base64');

/**
 * Creates the variable's row or locks the existing one, deletes its chunks and gives it a new
 * id; returns that id. The row keeps its old size until `finishWrite`.
 */
export async function beginWrite(q: Queryable, ref: VariableRef): Promise<number> {
  checkKey(ref.key);
  const r = await q.query<{ id: number }>(
    `INSERT INTO variables (namespace, scope, owner, key, mime_type, size) VALUES ($1, $2, $3, $4, '', 0)
     ON CONFLICT (namespace, scope, owner, key) DO UPDATE SET updated_at = now() RETURNING id`,
    [ref.namespace, ref.scope, ref.owner, ref.key],
  );
  const old = r.rows[0]!.id;
  await q.query('DELETE FROM variable_chunks WHERE variable_id = $1', [old]);
  const n = await q.query<{ id: number }>(
    "UPDATE variables SET id = nextval(pg_get_serial_sequence('variables', 'id')) WHERE id = $1 RETURNING id",
    [old],
  );
  return n.rows[0]!.id;
}

export async function writeChunk(q: Queryable, id: number, seq: number, data: Uint8Array): Promise<void> {
  await q.query("INSERT INTO variable_chunks (variable_id, seq, data) VALUES ($1, $2, decode($3, 'base64'))", [
    id,
    seq,
    toBase64(data),
  ]);
}

export async function finishWrite(q: Queryable, id: number, size: number, mimeType: string): Promise<VariableInfo> {
  const r = await q.query<InfoRow>(
    'UPDATE variables SET mime_type = $2, size = $3, updated_at = now() WHERE id = $1 RETURNING key, size, mime_type, updated_at',
    [id, normalizeMimeType(mimeType), size],
  );
  return toInfo(r.rows[0]!);
}

/** Stores a value held in memory (the engine's setter). */
export async function setValue(q: Queryable, ref: VariableRef, data: Buffer, mimeType: string): Promise<VariableInfo> {
  const id = await beginWrite(q, ref);
  for (let seq = 0, at = 0; at < data.length; seq++, at += CHUNK_SIZE) {
    await writeChunk(q, id, seq, data.subarray(at, at + CHUNK_SIZE));
  }
  return finishWrite(q, id, data.length, mimeType);
}

/** The whole value (the engine's getter), or null when the variable does not exist. */
export async function getValue(q: Queryable, ref: VariableRef): Promise<VariableValue | null> {
  const v = await getMeta(q, ref);
  if (!v) return null;
  const r = await q.query<{ data: string }>(`SELECT ${CHUNK_SELECT} FROM variable_chunks WHERE variable_id = $1 ORDER BY seq`, [
    v.id,
  ]);
  const data = Buffer.concat(r.rows.map((row) => fromBase64(row.data)));
  return { data, mimeType: v.mimeType, size: data.length };
}

/** Deletes the variable; false when it did not exist. */
export async function deleteValue(q: Queryable, ref: VariableRef): Promise<boolean> {
  const r = await q.query<{ id: number }>(
    'DELETE FROM variables WHERE namespace = $1 AND scope = $2 AND owner = $3 AND key = $4 RETURNING id',
    [ref.namespace, ref.scope, ref.owner, ref.key],
  );
  return r.rows.length > 0;
}

export interface VariableMeta extends VariableInfo {
  id: number;
}

export async function getMeta(q: Queryable, ref: VariableRef): Promise<VariableMeta | null> {
  const r = await q.query<InfoRow & { id: number }>(
    `SELECT id, key, size, mime_type, updated_at FROM variables
     WHERE namespace = $1 AND scope = $2 AND owner = $3 AND key = $4`,
    [ref.namespace, ref.scope, ref.owner, ref.key],
  );
  const row = r.rows[0];
  return row ? { ...toInfo(row), id: row.id } : null;
}

/** Variables of one owner in key order. */
export async function list(
  q: Queryable,
  namespace: string,
  scope: VariableScope,
  owner: string,
  page: { offset: number; limit: number } = { offset: 0, limit: 1000 },
): Promise<{ items: VariableInfo[]; total: number }> {
  const r = await q.query<InfoRow>(
    `SELECT key, size, mime_type, updated_at FROM variables WHERE namespace = $1 AND scope = $2 AND owner = $3
     ORDER BY key LIMIT $4 OFFSET $5`,
    [namespace, scope, owner, page.limit, page.offset],
  );
  const count = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM variables WHERE namespace = $1 AND scope = $2 AND owner = $3',
    [namespace, scope, owner],
  );
  return { items: r.rows.map(toInfo), total: count.rows[0]!.n };
}

/** Deletes every variable of an owner (instance variables when an instance is deleted). */
export async function deleteOwner(q: Queryable, namespace: string, scope: VariableScope, owner: string): Promise<number> {
  const r = await q.query('DELETE FROM variables WHERE namespace = $1 AND scope = $2 AND owner = $3', [
    namespace,
    scope,
    owner,
  ]);
  return r.rowCount;
}
