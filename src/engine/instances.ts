/**
 * Creating instances: from the API (run at once in the request's transaction) and as subflows
 * of a running instance (queued in the parent's transaction).
 */
import type { Queryable } from '../db/index.js';
import type { JsonObject, Value } from '../jq/index.js';
import { Codes, WorkflowError } from '../language/index.js';
import type { Workflow } from '../language/index.js';
import { instanceId } from './ids.js';
import { normaliseInput } from './input.js';
import type { WorkflowRef } from './ports.js';
import type { Step } from './step.js';
import { insertFailedInstance, insertInstance } from './store.js';
import type { InstanceRow, NewInstance } from './store.js';
import type { InvokedBy } from './types.js';

export interface Created {
  inst: InstanceRow;
  wf: Workflow;
  /** set when the instance was refused before it ran (the `singular` mutex) */
  failed?: { code: string; msg: string };
}

/** A pending instance of `ref` as it will be stored, before anything is written. */
export function newInstance(id: string, ref: WorkflowRef, wf: Workflow, input: JsonObject, invokedBy: InvokedBy, depth: number): { n: NewInstance; inst: InstanceRow } {
  const n: NewInstance = {
    id,
    namespace: ref.namespace,
    workflow: ref.name,
    workflowUid: ref.uid,
    revision: ref.revision,
    singular: wf.singular,
    invokedBy,
    depth,
    input,
  };
  const inst: InstanceRow = {
    id: n.id,
    namespace: n.namespace,
    workflow: n.workflow,
    workflow_uid: n.workflowUid,
    revision: n.revision,
    status: 'pending',
    invoked_by: invokedBy,
    depth,
    data: input,
    flow: [],
    step: 0,
    memory: null,
    recorded_error: null,
    singular: wf.singular,
    watched: false,
  };
  return { n, inst };
}

/**
 * Inserts a pending instance of `ref` (or, for a busy `singular` workflow, a failed one).
 * Checks of who may start it are the caller's.
 */
export async function createInstance(
  q: Queryable,
  id: string,
  ref: WorkflowRef,
  wf: Workflow,
  input: JsonObject,
  invokedBy: InvokedBy,
  depth: number,
): Promise<Created> {
  const { n, inst } = newInstance(id, ref, wf, input, invokedBy, depth);
  if (await insertInstance(q, n)) return { inst, wf };
  const failed = {
    code: Codes.mutex,
    msg: `workflow '${ref.name}' is singular and another instance of it is still pending`,
  };
  await insertFailedInstance(q, n, failed.code, failed.msg);
  return { inst: { ...inst, status: 'failed' }, wf, failed };
}

/** Where a subflow call cannot go, the calling state fails with an uncatchable error (§8). */
export async function startChild(
  c: Step,
  call: { workflow: string; input: Value; branch: number; reply: boolean },
): Promise<{ id: string; failed?: { code: string; msg: string } }> {
  const { q, deps, inst } = c;
  const ref = await deps.workflows.find(q, inst.namespace, call.workflow);
  if (!ref || !ref.active) {
    const why = ref ? 'is disabled' : 'does not exist';
    throw new WorkflowError(Codes.subflowNotExist, `subflow '${call.workflow}' ${why} in namespace '${inst.namespace}'`, false);
  }
  const wf = await deps.workflows.load(q, ref.uid, ref.revision);
  if (wf.start.type !== 'default') {
    throw new WorkflowError(
      Codes.subflowNotExist,
      `workflow '${call.workflow}' has a '${wf.start.type}' start and cannot be called as a subflow`,
      false,
    );
  }
  const depth = inst.depth + 1;
  if (depth > deps.settings.subflowDepth) {
    throw new WorkflowError(Codes.limitsDepth, `subflow depth limit (${deps.settings.subflowDepth}) exceeded`, false);
  }
  const id = instanceId(inst.namespace, ref.name);
  const created = await createInstance(
    q,
    id,
    ref,
    wf,
    normaliseInput(call.input),
    { kind: 'subflow', parent: inst.id, step: inst.step, branch: call.branch, actionId: id, reply: call.reply },
    depth,
  );
  c.childrenStarted++;
  if (!created.failed) c.scheduleFor(created.inst.id, 'start', 0, null);
  return { id: created.inst.id, failed: created.failed };
}
