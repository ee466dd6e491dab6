/**
 * Workflows: YAML validated by the language module, stored as immutable revisions, with an LRU
 * of parsed models for the engine and hooks that run inside the transaction of every change.
 */
export {
  create,
  get,
  list,
  update,
  changeSettings,
  logToEventsOf,
  findByName,
  loadRevision,
  remove,
  clearModelCache,
} from './store.js';
export type { WorkflowInfo, WorkflowWithSource, SaveResult } from './store.js';
export { onWorkflowChange } from './hooks.js';
export type { WorkflowRef, WorkflowChange, WorkflowChangeHook } from './hooks.js';
export {
  WorkflowInvalidError,
  WorkflowExistsError,
  WorkflowNotFoundError,
  RevisionConflictError,
  StoredRevisionInvalidError,
} from './errors.js';
