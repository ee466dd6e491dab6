/** Reading instances for the API. */
import type { Queryable } from '../db/index.js';
import type { Value } from '../jq/index.js';
import type { InstanceFilter } from './api.js';
import type { InstanceDetail, InstanceStatus, InstanceSummary, InvokedBy } from './types.js';

interface Row {
  id: string;
  namespace: string;
  workflow: string;
  revision: number;
  status: InstanceStatus;
  invoked_by: InvokedBy;
  begin_time: Date;
  end_time: Date | null;
  error_code: string | null;
}

const SUMMARY = 'id, namespace, workflow, revision, status, invoked_by, begin_time, end_time, error_code';

const summary = (r: Row): InstanceSummary => ({
  id: r.id,
  namespace: r.namespace,
  workflow: r.workflow,
  revision: r.revision,
  status: r.status,
  invokedBy: r.invoked_by,
  beginTime: new Date(r.begin_time).toISOString(),
  endTime: r.end_time ? new Date(r.end_time).toISOString() : null,
  errorCode: r.error_code,
});

export async function getInstance(q: Queryable, id: string): Promise<InstanceDetail | null> {
  const r = await q.query<Row & { flow: string[]; input: Value; output: Value | null; error_message: string | null }>(
    `SELECT ${SUMMARY}, flow, input, output, error_message FROM instances WHERE id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return null;
  return { ...summary(row), flow: row.flow, input: row.input, output: row.output, errorMessage: row.error_message };
}

export async function listInstances(
  q: Queryable,
  f: InstanceFilter,
): Promise<{ items: InstanceSummary[]; total: number }> {
  const where = ['namespace = $1'];
  const params: unknown[] = [f.namespace];
  if (f.workflow !== undefined) {
    params.push(f.workflow);
    where.push(`workflow = $${params.length}`);
  }
  if (f.status !== undefined) {
    params.push(f.status);
    where.push(`status = $${params.length}`);
  }
  const cond = where.join(' AND ');
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM instances WHERE ${cond}`, params);
  const rows = await q.query<Row>(
    `SELECT ${SUMMARY} FROM instances WHERE ${cond} ORDER BY begin_time DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return { items: rows.rows.map(summary), total: total.rows[0]!.n };
}
