/**
 * Events: CloudEvents in (parse), stored and delivered to start listeners in the request's
 * transaction (intake), the listeners kept in step with workflows (listeners), and the history
 * of what each event did (history).
 */
import { onWorkflowChange } from '../workflows/index.js';
import { syncListeners } from './listeners.js';

export { EventInvalidError, parseBatch, parseEvent } from './parse.js';
export type { Headers, ParsedEvent } from './parse.js';
export { acceptEvents, contextMatches } from './intake.js';
export type { AcceptResult, InstanceStarter } from './intake.js';
export { EventNotFoundError, getEvent, listEvents, replayEvent } from './history.js';
export type { Delivery, EventDetail, EventRecord } from './history.js';
export { listenerOf } from './listeners.js';

let installed: (() => void) | undefined;

/** Keeps start listeners in step with workflow changes, in their transactions (once per process). */
export function installEventHooks(): void {
  installed ??= onWorkflowChange(syncListeners);
}
