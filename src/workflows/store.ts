/**
 * Workflows and their revisions. Every function takes a Queryable, so callers compose them in
 * their own transaction; the ones that change a workflow lock its row and run the change hooks.
 */
import type { Queryable } from '../db/index.js';
import { validateWorkflow } from '../language/index.js';
import type { Problem, Workflow } from '../language/index.js';
import { checkName, requireNamespace } from '../namespaces/index.js';
import { Lru } from './cache.js';
import {
  RevisionConflictError,
  StoredRevisionInvalidError,
  WorkflowExistsError,
  WorkflowInvalidError,
  WorkflowNotFoundError,
} from './errors.js';
import { runWorkflowChangeHooks } from './hooks.js';
import type { WorkflowRef } from './hooks.js';

/** A workflow as lists show it; `id` is its name. */
export interface WorkflowInfo {
  id: string;
  uid: string;
  revision: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  description: string | null;
  /** the `logger` of the events its log lines become, or null when they do not */
  logToEvents: string | null;
}

/** One workflow with the YAML of its current revision. */
export interface WorkflowWithSource extends WorkflowInfo {
  namespace: string;
  source: string;
}

/** What create and update answer: the stored workflow and the validator's warnings. */
export interface SaveResult {
  workflow: WorkflowWithSource;
  warnings: Problem[];
}

interface Row {
  uid: string;
  namespace: string;
  name: string;
  revision: number;
  active: boolean;
  description: string | null;
  created_at: Date;
  updated_at: Date;
  log_to_events: string | null;
}

const COLUMNS = 'uid, namespace, name, revision, active, description, created_at, updated_at, log_to_events';

const toInfo = (r: Row): WorkflowInfo => ({
  id: r.name,
  uid: r.uid,
  revision: r.revision,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  description: r.description,
  logToEvents: r.log_to_events,
});

const toRef = (r: Row): WorkflowRef => ({
  uid: r.uid,
  namespace: r.namespace,
  name: r.name,
  revision: r.revision,
  active: r.active,
});

// Revisions never change, so a parsed model stays valid for as long as it is cached. Sized for
// thousands of workflows: a miss re-validates the YAML, which costs milliseconds.
const models = new Lru<string, Workflow>(4096);
const modelKey = (uid: string, revision: number) => `${uid}:${revision}`;

function validate(source: string): { workflow: Workflow; warnings: Problem[] } {
  const result = validateWorkflow(source);
  if (result.errors.length > 0 || !result.workflow) {
    throw new WorkflowInvalidError(
      result.errors.length > 0 ? result.errors : [{ path: '', message: 'the workflow could not be read' }],
    );
  }
  return { workflow: result.workflow, warnings: result.warnings };
}

/**
 * Validates and stores a new workflow (revision 1); its name is the YAML's `id`.
 * WorkflowInvalidError (nothing stored), NamespaceNotFoundError, WorkflowExistsError.
 */
export async function create(
  q: Queryable,
  namespace: string,
  source: string,
  opts: { active?: boolean; logToEvents?: string | null } = {},
): Promise<SaveResult> {
  checkName('namespace', namespace);
  const { workflow, warnings } = validate(source);
  await requireNamespace(q, namespace);
  const r = await q.query<Row>(
    `INSERT INTO workflows (namespace, name, revision, active, description, log_to_events) VALUES ($1, $2, 1, $3, $4, $5)
     ON CONFLICT (namespace, name) DO NOTHING RETURNING ${COLUMNS}`,
    [namespace, workflow.id, opts.active ?? true, workflow.description ?? null, loggerOf(opts.logToEvents)],
  );
  const row = r.rows[0];
  if (!row) throw new WorkflowExistsError(namespace, workflow.id);
  await q.query('INSERT INTO workflow_revisions (workflow_uid, revision, source) VALUES ($1, 1, $2)', [row.uid, source]);
  models.set(modelKey(row.uid, 1), workflow);
  await runWorkflowChangeHooks(q, { kind: 'created', ref: toRef(row), workflow });
  return { workflow: { ...toInfo(row), namespace, source }, warnings };
}

/** One workflow with the source of its current revision, or null. */
export async function get(q: Queryable, namespace: string, name: string): Promise<WorkflowWithSource | null> {
  const r = await q.query<Row & { source: string }>(
    `SELECT w.uid, w.namespace, w.name, w.revision, w.active, w.description, w.created_at, w.updated_at, w.log_to_events, v.source
     FROM workflows w JOIN workflow_revisions v ON v.workflow_uid = w.uid AND v.revision = w.revision
     WHERE w.namespace = $1 AND w.name = $2`,
    [namespace, name],
  );
  const row = r.rows[0];
  return row ? { ...toInfo(row), namespace, source: row.source } : null;
}

/** Workflows of a namespace in name order. */
export async function list(
  q: Queryable,
  namespace: string,
  page: { offset: number; limit: number },
): Promise<{ items: WorkflowInfo[]; total: number }> {
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM workflows WHERE namespace = $1 ORDER BY name LIMIT $2 OFFSET $3`,
    [namespace, page.limit, page.offset],
  );
  const count = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM workflows WHERE namespace = $1', [namespace]);
  return { items: rows.rows.map(toInfo), total: count.rows[0]!.n };
}

/**
 * Locks the workflow's row for the rest of the transaction; NamespaceNotFound/WorkflowNotFound.
 * FOR NO KEY UPDATE: it waits for events being delivered to the workflow (they share-lock the
 * row) but not for instances being created (their foreign key takes a key-share lock), which
 * may hold the cron or listener rows this change replaces.
 */
async function lock(q: Queryable, namespace: string, name: string): Promise<Row> {
  const r = await q.query<Row>(`SELECT ${COLUMNS} FROM workflows WHERE namespace = $1 AND name = $2 FOR NO KEY UPDATE`, [
    namespace,
    name,
  ]);
  if (r.rows[0]) return r.rows[0];
  await requireNamespace(q, namespace);
  throw new WorkflowNotFoundError(namespace, name);
}

/**
 * Stores a new revision. The YAML's `id` must be the workflow's name (no renames). With
 * `expectedRevision`, RevisionConflictError unless it is the current revision.
 */
export async function update(
  q: Queryable,
  namespace: string,
  name: string,
  source: string,
  opts: { expectedRevision?: number; logToEvents?: string | null } = {},
): Promise<SaveResult> {
  checkName('namespace', namespace);
  checkName('workflow', name);
  const { workflow, warnings } = validate(source);
  if (workflow.id !== name) {
    throw new WorkflowInvalidError([
      {
        path: 'id',
        message: `the id ${JSON.stringify(workflow.id)} is not the workflow's name ${JSON.stringify(name)}: a workflow cannot be renamed`,
      },
    ]);
  }
  const current = await lock(q, namespace, name);
  if (opts.expectedRevision !== undefined && opts.expectedRevision !== current.revision) {
    throw new RevisionConflictError(opts.expectedRevision, current.revision);
  }
  const r = await q.query<Row>(
    `UPDATE workflows SET revision = revision + 1, description = $2, updated_at = now(),
            log_to_events = CASE WHEN $3 THEN $4 ELSE log_to_events END
      WHERE uid = $1 RETURNING ${COLUMNS}`,
    [current.uid, workflow.description ?? null, opts.logToEvents !== undefined, loggerOf(opts.logToEvents)],
  );
  const row = r.rows[0]!;
  await q.query('INSERT INTO workflow_revisions (workflow_uid, revision, source) VALUES ($1, $2, $3)', [
    row.uid,
    row.revision,
    source,
  ]);
  models.set(modelKey(row.uid, row.revision), workflow);
  await runWorkflowChangeHooks(q, { kind: 'updated', ref: toRef(row), workflow });
  return { workflow: { ...toInfo(row), namespace, source }, warnings };
}

/**
 * Changes a workflow's settings (those not in its YAML): `active` (only enabled workflows can be
 * executed, listen or fire), and `logToEvents` (an empty string or null turns it off). Absent
 * settings keep their value.
 */
export async function changeSettings(
  q: Queryable,
  namespace: string,
  name: string,
  settings: { active?: boolean | undefined; logToEvents?: string | null | undefined },
): Promise<WorkflowInfo> {
  const current = await lock(q, namespace, name);
  const r = await q.query<Row>(
    `UPDATE workflows SET active = coalesce($2, active), log_to_events = CASE WHEN $3 THEN $4 ELSE log_to_events END,
            updated_at = now()
      WHERE uid = $1 RETURNING ${COLUMNS}`,
    [current.uid, settings.active ?? null, settings.logToEvents !== undefined, loggerOf(settings.logToEvents)],
  );
  const row = r.rows[0]!;
  if (settings.active !== undefined) {
    const workflow = await loadRevision(q, row.uid, row.revision);
    if (workflow) await runWorkflowChangeHooks(q, { kind: 'toggled', ref: toRef(row), workflow });
  }
  return toInfo(row);
}

const loggerOf = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);

/** The workflow's `logToEvents` setting (null when off or when the workflow is gone). */
export async function logToEventsOf(q: Queryable, uid: string): Promise<string | null> {
  const r = await q.query<{ log_to_events: string | null }>('SELECT log_to_events FROM workflows WHERE uid = $1', [uid]);
  return r.rows[0]?.log_to_events ?? null;
}

/** What the engine needs to start an instance, or null. */
export async function findByName(q: Queryable, namespace: string, name: string): Promise<WorkflowRef | null> {
  const r = await q.query<Row>(`SELECT ${COLUMNS} FROM workflows WHERE namespace = $1 AND name = $2`, [namespace, name]);
  return r.rows[0] ? toRef(r.rows[0]) : null;
}

/**
 * The validated model of one revision (cached), or null when the revision does not exist.
 * A stored revision that no longer validates is a StoredRevisionInvalidError.
 */
export async function loadRevision(q: Queryable, uid: string, revision: number): Promise<Workflow | null> {
  const key = modelKey(uid, revision);
  const hit = models.get(key);
  if (hit) return hit;
  const r = await q.query<{ source: string }>(
    'SELECT source FROM workflow_revisions WHERE workflow_uid = $1 AND revision = $2',
    [uid, revision],
  );
  if (!r.rows[0]) return null;
  const result = validateWorkflow(r.rows[0].source);
  if (!result.workflow || result.errors.length > 0) throw new StoredRevisionInvalidError(uid, revision, result.errors);
  models.set(key, result.workflow);
  return result.workflow;
}

/**
 * Deletes a workflow with its revisions and workflow-scope variables, after running the
 * `deleted` hooks; false when it did not exist. The engine calls it inside the transaction
 * that cancels the workflow's pending instances.
 */
export async function remove(q: Queryable, namespace: string, name: string): Promise<boolean> {
  const r = await q.query<Row>(`SELECT ${COLUMNS} FROM workflows WHERE namespace = $1 AND name = $2 FOR NO KEY UPDATE`, [
    namespace,
    name,
  ]);
  const row = r.rows[0];
  if (!row) return false;
  await runWorkflowChangeHooks(q, { kind: 'deleted', ref: toRef(row) });
  await q.query("DELETE FROM variables WHERE namespace = $1 AND scope = 'workflow' AND owner = $2", [namespace, row.uid]);
  await q.query('DELETE FROM workflows WHERE uid = $1', [row.uid]);
  return true;
}

/** Empties the model cache (tests). */
export function clearModelCache(): void {
  models.clear();
}
