/**
 * Callbacks run inside the transaction that creates, updates, toggles or deletes a workflow,
 * so that crons and event listeners (a later module) are replaced atomically with the change.
 * A hook that throws rolls the whole change back.
 */
import type { Queryable } from '../db/index.js';
import type { Workflow } from '../language/index.js';

export interface WorkflowRef {
  uid: string;
  namespace: string;
  name: string;
  revision: number;
  active: boolean;
}

export type WorkflowChange =
  /** `workflow` is the model of `ref.revision` (the new revision after an update). */
  | { kind: 'created' | 'updated' | 'toggled'; ref: WorkflowRef; workflow: Workflow }
  /** Runs before the rows are deleted, so a hook can still read or delete what refers to them. */
  | { kind: 'deleted'; ref: WorkflowRef };

export type WorkflowChangeHook = (q: Queryable, change: WorkflowChange) => Promise<void>;

const hooks = new Set<WorkflowChangeHook>();

/** Registers a hook (once per process, at startup); returns a function that removes it. */
export function onWorkflowChange(hook: WorkflowChangeHook): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/** Runs every hook in registration order, inside the caller's transaction. */
export async function runWorkflowChangeHooks(q: Queryable, change: WorkflowChange): Promise<void> {
  for (const hook of [...hooks]) await hook(q, change);
}
