/**
 * Events: CloudEvents in (parse) or made by workflows (emit), stored and delivered to start
 * listeners and instance waits in the transaction that brings them (intake), the listeners kept
 * in step with workflows (listeners), waits begun and ended by instances (waits), and the
 * history of what each event did (history).
 */
import { onWorkflowChange } from '../workflows/index.js';
import { syncListeners } from './listeners.js';

export { EventInvalidError, parseBatch, parseEvent } from './parse.js';
export type { Headers, ParsedEvent } from './parse.js';
export { EventIntake, acceptEvents, contextMatches, storeAndDeliver } from './intake.js';
export type { AcceptResult, Delivered, InstanceStarter } from './intake.js';
export { buildEvent } from './emit.js';
export type { NewEvent } from './emit.js';
export { registerWait, removeWait } from './waits.js';
export type { WaitEvent, WaitSpec } from './waits.js';
export { EventNotFoundError, getEvent, listEvents, replayEvent } from './history.js';
export type { Delivery, EventDetail, EventRecord } from './history.js';
export { listenerOf } from './listeners.js';
export { startEventRetention, sweepEvents } from './retention.js';

let installed: (() => void) | undefined;

/** Keeps start listeners in step with workflow changes, in their transactions (once per process). */
export function installEventHooks(): void {
  installed ??= onWorkflowChange(syncListeners);
}
