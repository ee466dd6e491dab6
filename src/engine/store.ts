/**
 * The engine's SQL: claiming work, and writing everything one step decided in one statement.
 * These run once per transition, so each is one round trip and each is served by an index
 * (work_due for the claim, instances_pkey and work_instance for the rest).
 */
import type { Queryable, Tx } from '../db/index.js';
import type { Value } from '../jq/index.js';
import type { InstanceStatus, InvokedBy } from './types.js';

export interface InstanceRow {
  id: string;
  namespace: string;
  workflow: string;
  workflow_uid: string;
  revision: number;
  status: InstanceStatus;
  invoked_by: InvokedBy;
  depth: number;
  data: Record<string, Value>;
  flow: string[];
  step: number;
  memory: Value | null;
  recorded_error: { code: string; msg: string } | null;
  singular: boolean;
  watched: boolean;
}

export interface WorkRow {
  work_id: number;
  kind: WorkKind;
  work_step: number | null;
  payload: Value | null;
}

/** start: a new instance's first state; run: the current state's entry; wake: a timer or result. */
export type WorkKind = 'start' | 'run' | 'wake' | 'timeout' | 'cancel';

const INSTANCE_COLUMNS = `i.id, i.namespace, i.workflow, i.workflow_uid, i.revision, i.status, i.invoked_by,
  i.depth, i.data, i.flow, i.step, i.memory, i.recorded_error, i.singular, i.watched`;

/**
 * Claims the oldest due work item together with its instance, both locked; rows locked by
 * another node are skipped rather than waited for, so two wake-ups of one instance never block
 * a worker: the second is taken once the first transaction commits.
 *
 * Instances are locked FOR NO KEY UPDATE (as their updates are), never FOR UPDATE, so a
 * transaction that queues work for a locked instance (an event ending its wait, a result) does
 * not wait for the instance's step: the step may itself be waiting for that transaction.
 */
export async function claimWork(q: Queryable): Promise<(WorkRow & InstanceRow) | undefined> {
  const r = await q.query<WorkRow & InstanceRow>(
    `SELECT w.id AS work_id, w.kind, w.step AS work_step, w.payload, ${INSTANCE_COLUMNS}
       FROM work w JOIN instances i ON i.id = w.instance_id
      WHERE w.run_at <= now()
      ORDER BY w.run_at, w.id
      LIMIT 1
      FOR UPDATE OF w SKIP LOCKED FOR NO KEY UPDATE OF i SKIP LOCKED`,
  );
  return r.rows[0];
}

/** Milliseconds until the next work item is due (0 if one is due now), or null when none is queued. */
export async function nextDueIn(q: Queryable): Promise<number | null> {
  const r = await q.query<{ ms: number | null }>(
    // greatest() skips NULLs, so an empty queue must be tested apart.
    `SELECT CASE WHEN min(run_at) IS NULL THEN NULL
                 ELSE greatest(0, extract(epoch FROM (min(run_at) - now())) * 1000)::float8 END AS ms
       FROM work`,
  );
  return r.rows[0]?.ms ?? null;
}

export interface NewWork {
  instanceId: string;
  kind: WorkKind;
  step: number | null;
  payload: Value | null;
  /** delay from now, in milliseconds */
  inMs: number;
}

export interface LogLine {
  level: 'debug' | 'info' | 'error';
  msg: string;
}

export interface StepWrites {
  inst: InstanceRow;
  output?: Value;
  ended: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  logs: LogLine[];
  work: NewWork[];
  /** the claimed work item, deleted by this write */
  claimedWorkId?: number;
  /** delete this instance's work items of earlier steps (their timers are obsolete) */
  dropOlderWork: boolean;
}

/**
 * Writes one step: the instance, its log lines, the new work items (for it, its parent or its
 * children) and the removal of the claimed item, as a single statement. A new instance's first
 * step inserts the instance with what the step decided (`created`), so starting one is a
 * single write as well.
 *
 * Notifications go out only for a watched instance (a live log or a waiter on another node):
 * a transaction that NOTIFYs holds a cluster-wide lock through its commit, which would make
 * every step's commit take its turn. Other nodes find new work by polling, and a node nudges
 * its own workers in process.
 *
 * Returns the transaction's timestamp: the instance's end time when it ended.
 */
export async function writeStep(q: Queryable, s: StepWrites, created?: NewInstance): Promise<Date> {
  const i = s.inst;
  // An ended instance's own timers would only wake it for nothing (its work rows are deleted
  // below, but this statement cannot see rows it inserts itself).
  const work = s.ended ? s.work.filter((w) => w.instanceId !== i.id) : s.work;
  const params: unknown[] = [
    i.id,
    i.status,
    JSON.stringify(i.data),
    i.flow,
    i.step,
    i.memory === null ? null : JSON.stringify(i.memory),
    i.recorded_error === null ? null : JSON.stringify(i.recorded_error),
    s.errorCode,
    s.errorMessage,
    s.output === undefined ? null : JSON.stringify(s.output),
    s.ended,
    i.namespace,
    s.logs.map((l) => l.level),
    s.logs.map((l) => l.msg),
    work.map((w) => w.instanceId),
    work.map((w) => w.kind),
    work.map((w) => w.step),
    work.map((w) => (w.payload === null ? null : JSON.stringify(w.payload))),
    work.map((w) => w.inMs),
    s.claimedWorkId ?? null,
    s.dropOlderWork,
    i.watched,
  ];
  if (created) params.push(created.workflow, created.workflowUid, created.revision, JSON.stringify(created.invokedBy), created.depth, JSON.stringify(created.input));
  const r = await q.query<{ t: Date }>(`WITH u AS (${created ? INSERT_INSTANCE : UPDATE_INSTANCE}), ${STEP_REST}`, params);
  return new Date(r.rows[0]!.t);
}

const UPDATE_INSTANCE = `
  UPDATE instances SET status = $2, data = $3::json, flow = $4::text[], step = $5, memory = $6::json,
         recorded_error = $7::jsonb,
         error_code = CASE WHEN $11 THEN $8 ELSE error_code END,
         error_message = CASE WHEN $11 THEN $9 ELSE error_message END,
         output = coalesce($10::json, output), end_time = CASE WHEN $11 THEN now() ELSE end_time END
   WHERE id = $1`;

// Not for `singular` workflows: their mutex is the insert that comes before the first step.
const INSERT_INSTANCE = `
  INSERT INTO instances (id, namespace, workflow, workflow_uid, revision, status, singular, invoked_by, depth, input,
                         data, flow, step, memory, recorded_error, error_code, error_message, output, end_time)
  VALUES ($1, $12, $23, $24, $25, $2, false, $26::jsonb, $27, $28::json,
          $3::json, $4::text[], $5, $6::json, $7::jsonb, CASE WHEN $11 THEN $8 END, CASE WHEN $11 THEN $9 END,
          $10::json, CASE WHEN $11 THEN now() END)`;

const STEP_REST = `
  l AS (
    INSERT INTO logs (namespace, instance_id, level, msg)
    SELECT $12, $1, x.level, x.msg FROM unnest($13::text[], $14::text[]) WITH ORDINALITY AS x(level, msg, n)
     ORDER BY x.n),
  w AS (
    INSERT INTO work (instance_id, kind, step, payload, run_at)
    SELECT x.instance_id, x.kind, x.step, x.payload, now() + x.in_ms * interval '1 millisecond'
      FROM unnest($15::text[], $16::text[], $17::int[], $18::json[], $19::float8[])
           AS x(instance_id, kind, step, payload, in_ms)
    -- A reply to a parent deleted meanwhile (with its workflow or namespace) has nobody to wake.
    -- This instance exists (locked, or inserted by this statement, which the subquery cannot see).
    WHERE x.instance_id = $1 OR EXISTS (SELECT 1 FROM instances p WHERE p.id = x.instance_id)),
  d AS (
    DELETE FROM work WHERE id = $20 OR (instance_id = $1 AND ($11 OR ($21 AND step < $5))))
  SELECT CASE WHEN $22 AND cardinality($13::text[]) > 0 THEN pg_notify('direktiv_logs', $1) END,
         CASE WHEN $22 AND $11 THEN pg_notify('direktiv_ended', $1) END,
         now() AS t`;

/**
 * Inserts new instances with what their first steps decided, their log lines and their work
 * items, as one statement sent with the commit: the instances an event intake transaction
 * started (none `singular`, none watched, none with a claimed work item). `onCommitted` gets
 * the transaction's timestamp.
 */
export function insertStarted(q: Tx, started: { s: StepWrites; n: NewInstance }[], onCommitted: (t: Date) => void): void {
  const lines = started.flatMap(({ s }) => s.logs.map((l) => ({ inst: s.inst, l })));
  const work = started.flatMap(({ s }) => (s.ended ? s.work.filter((w) => w.instanceId !== s.inst.id) : s.work));
  const json = (v: Value | null | undefined) => (v === null || v === undefined ? null : JSON.stringify(v));
  q.beforeCommit<{ t: Date }>(
    `WITH i AS (
       INSERT INTO instances (id, namespace, workflow, workflow_uid, revision, status, singular, invoked_by, depth, input,
                              data, flow, step, memory, recorded_error, error_code, error_message, output, end_time)
       SELECT x.id, x.namespace, x.workflow, x.workflow_uid, x.revision, x.status, false, x.invoked_by, x.depth, x.input,
              x.data, ARRAY(SELECT json_array_elements_text(x.flow)), x.step, x.memory, x.recorded_error,
              CASE WHEN x.ended THEN x.error_code END, CASE WHEN x.ended THEN x.error_message END, x.output,
              CASE WHEN x.ended THEN now() END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::int[], $6::text[], $7::jsonb[], $8::int[], $9::json[],
                     $10::json[], $11::json[], $12::int[], $13::json[], $14::jsonb[], $15::text[], $16::text[], $17::json[], $18::bool[])
           AS x(id, namespace, workflow, workflow_uid, revision, status, invoked_by, depth, input,
                data, flow, step, memory, recorded_error, error_code, error_message, output, ended)),
     l AS (
       INSERT INTO logs (namespace, instance_id, level, msg)
       SELECT x.namespace, x.instance_id, x.level, x.msg
         FROM unnest($19::text[], $20::text[], $21::text[], $22::text[]) WITH ORDINALITY AS x(namespace, instance_id, level, msg, n)
        ORDER BY x.n),
     w AS (
       INSERT INTO work (instance_id, kind, step, payload, run_at)
       SELECT x.instance_id, x.kind, x.step, x.payload, now() + x.in_ms * interval '1 millisecond'
         FROM unnest($23::text[], $24::text[], $25::int[], $26::json[], $27::float8[]) AS x(instance_id, kind, step, payload, in_ms)
       -- The new instances exist (this statement inserts them, which the subquery cannot see).
       WHERE x.instance_id = ANY($1::text[]) OR EXISTS (SELECT 1 FROM instances p WHERE p.id = x.instance_id))
     SELECT now() AS t`,
    [
      started.map(({ n }) => n.id),
      started.map(({ n }) => n.namespace),
      started.map(({ n }) => n.workflow),
      started.map(({ n }) => n.workflowUid),
      started.map(({ n }) => n.revision),
      started.map(({ s }) => s.inst.status),
      started.map(({ n }) => JSON.stringify(n.invokedBy)),
      started.map(({ n }) => n.depth),
      started.map(({ n }) => JSON.stringify(n.input)),
      started.map(({ s }) => JSON.stringify(s.inst.data)),
      started.map(({ s }) => JSON.stringify(s.inst.flow)),
      started.map(({ s }) => s.inst.step),
      started.map(({ s }) => json(s.inst.memory)),
      started.map(({ s }) => json(s.inst.recorded_error as Value | null)),
      started.map(({ s }) => s.errorCode),
      started.map(({ s }) => s.errorMessage),
      started.map(({ s }) => json(s.output)),
      started.map(({ s }) => s.ended),
      lines.map(({ inst }) => inst.namespace),
      lines.map(({ inst }) => inst.id),
      lines.map(({ l }) => l.level),
      lines.map(({ l }) => l.msg),
      work.map((w) => w.instanceId),
      work.map((w) => w.kind),
      work.map((w) => w.step),
      work.map((w) => json(w.payload)),
      work.map((w) => w.inMs),
    ],
    (r) => onCommitted(new Date(r.rows[0]!.t)),
  );
}

/** Queues a wake-up of a pending instance's step (a result or events it waited for). */
export async function enqueueWake(q: Queryable, instanceId: string, step: number, payload: Value): Promise<void> {
  await q.query(
    `INSERT INTO work (instance_id, kind, step, payload)
     SELECT id, 'wake', $2, $3::json FROM instances WHERE id = $1 AND status = 'pending'`,
    [instanceId, step, JSON.stringify(payload)],
  );
}

/** Queues the first step of a new instance (the workers run it). */
export async function enqueueStart(q: Queryable, instanceId: string): Promise<void> {
  await q.query(`INSERT INTO work (instance_id, kind, step) VALUES ($1, 'start', 0)`, [instanceId]);
}

export interface NewInstance {
  id: string;
  namespace: string;
  workflow: string;
  workflowUid: string;
  revision: number;
  singular: boolean;
  invokedBy: InvokedBy;
  depth: number;
  input: Record<string, Value>;
}

/**
 * Inserts a pending instance. For a `singular` workflow the partial unique index admits one
 * pending instance; when another holds it, nothing is inserted and false is returned.
 */
export async function insertInstance(q: Queryable, n: NewInstance): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO instances (id, namespace, workflow, workflow_uid, revision, status, singular, invoked_by, depth, input, data)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7::jsonb, $8, $9::json, $9::json)
     ON CONFLICT (workflow_uid) WHERE singular AND status = 'pending' DO NOTHING`,
    [n.id, n.namespace, n.workflow, n.workflowUid, n.revision, n.singular, JSON.stringify(n.invokedBy), n.depth, JSON.stringify(n.input)],
  );
  return r.rowCount === 1;
}

/** An instance that failed before it ran (the `singular` mutex), recorded for the caller to see. */
export async function insertFailedInstance(q: Queryable, n: NewInstance, code: string, message: string): Promise<void> {
  await q.query(
    `INSERT INTO instances (id, namespace, workflow, workflow_uid, revision, status, invoked_by, depth, input, data,
                            error_code, error_message, end_time)
     VALUES ($1, $2, $3, $4, $5, 'failed', $6::jsonb, $7, $8::json, $8::json, $9, $10, now())`,
    [n.id, n.namespace, n.workflow, n.workflowUid, n.revision, JSON.stringify(n.invokedBy), n.depth, JSON.stringify(n.input), code, message],
  );
}

/** Log lines written for an instance from outside a step (a function's), and the followers told. */
export async function appendLogLines(q: Queryable, namespace: string, instanceId: string, level: string, msgs: string[]): Promise<void> {
  await q.query(
    `WITH l AS (INSERT INTO logs (namespace, instance_id, level, msg) SELECT $1, $2, $3, unnest($4::text[]))
     SELECT pg_notify('direktiv_logs', $2)`,
    [namespace, instanceId, level, msgs],
  );
}

/**
 * Marks an instance as watched, so the transactions that change it notify; false when it is
 * no longer pending (the caller then reads its final state).
 */
export async function watchInstance(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query(`UPDATE instances SET watched = true WHERE id = $1 AND status = 'pending'`, [id]);
  return r.rowCount === 1;
}

/** Locks and loads the pending instances of one workflow (all its revisions). */
export async function lockPendingOfWorkflow(q: Queryable, workflowUid: string): Promise<InstanceRow[]> {
  const r = await q.query<InstanceRow>(
    `SELECT ${INSTANCE_COLUMNS} FROM instances i WHERE i.workflow_uid = $1 AND i.status = 'pending' ORDER BY i.id FOR NO KEY UPDATE`,
    [workflowUid],
  );
  return r.rows;
}

/** Locks and loads one instance (for operations that start outside the work queue, like cancel). */
/** The instance locked, unless another transaction holds it (or it does not exist). */
export async function lockInstanceIfFree(q: Queryable, id: string): Promise<InstanceRow | undefined> {
  const r = await q.query<InstanceRow>(`SELECT ${INSTANCE_COLUMNS} FROM instances i WHERE i.id = $1 FOR NO KEY UPDATE SKIP LOCKED`, [id]);
  return r.rows[0];
}

export async function lockInstance(q: Queryable, id: string): Promise<InstanceRow | undefined> {
  const r = await q.query<InstanceRow>(`SELECT ${INSTANCE_COLUMNS} FROM instances i WHERE i.id = $1 FOR NO KEY UPDATE`, [id]);
  return r.rows[0];
}
