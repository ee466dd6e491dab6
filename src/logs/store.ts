import type { Queryable } from '../db/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A line to append; `instanceId` null for a namespace log line. */
export interface LogEntry {
  namespace: string;
  instanceId: string | null;
  level: LogLevel;
  msg: string;
}

/** A stored line; `id` orders the lines and lets a follower resume after it. */
export interface LogLine {
  id: number;
  t: string;
  level: LogLevel;
  msg: string;
}

/** Sent by the engine inside each transaction that writes logs of an instance (payload: its id). */
export const LOGS_CHANNEL = 'direktiv_logs';
/** Sent by the engine in the transaction that ends an instance (payload: its id). */
export const ENDED_CHANNEL = 'direktiv_ended';

interface Row {
  id: number;
  t: Date;
  level: LogLevel;
  msg: string;
}

const toLine = (r: Row): LogLine => ({ id: Number(r.id), t: r.t.toISOString(), level: r.level, msg: r.msg });

/** Appends lines in order with one INSERT (arrays unnested, so one round trip for any count). */
export async function append(q: Queryable, rows: readonly LogEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO logs (namespace, instance_id, level, msg)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [rows.map((r) => r.namespace), rows.map((r) => r.instanceId), rows.map((r) => r.level), rows.map((r) => r.msg)],
  );
}

/** Tells followers of an instance that it has new lines (call inside the writing transaction). */
export async function notifyLines(q: Queryable, instanceId: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [LOGS_CHANNEL, instanceId]);
}

/** Lines of one instance, or the namespace's own lines (those of no instance). */
export type LogSource = { instanceId: string } | { namespace: string };

/** Lines in order, one page of them. */
export async function read(
  q: Queryable,
  source: LogSource,
  page: { offset: number; limit: number },
): Promise<{ items: LogLine[]; total: number }> {
  const [where, key] =
    'instanceId' in source
      ? ['instance_id = $1', source.instanceId]
      : ['namespace = $1 AND instance_id IS NULL', source.namespace];
  const rows = await q.query<Row>(`SELECT id, t, level, msg FROM logs WHERE ${where} ORDER BY id LIMIT $2 OFFSET $3`, [
    key,
    page.limit,
    page.offset,
  ]);
  const count = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE ${where}`, [key]);
  return { items: rows.rows.map(toLine), total: count.rows[0]!.n };
}

/** Up to `limit` lines of an instance after line `afterId`, in order. */
export async function readAfter(q: Queryable, instanceId: string, afterId: number, limit: number): Promise<LogLine[]> {
  const r = await q.query<Row>(
    'SELECT id, t, level, msg FROM logs WHERE instance_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [instanceId, afterId, limit],
  );
  return r.rows.map(toLine);
}
