/**
 * Start listeners: each enabled workflow whose start is `event`, `eventsXor` or `eventsAnd` has
 * one row in event_listeners (and its types in event_listener_types, the matching index),
 * replaced in the transaction that creates, updates, toggles or deletes the workflow.
 */
import type { Queryable } from '../db/index.js';
import type { Start } from '../language/index.js';
import type { WorkflowChange } from '../workflows/index.js';

/** One entry of a listener: an event type and the patterns its context attributes must match. */
export interface ListenerEntry {
  type: string;
  context: Record<string, string>;
}

export interface ListenerSpec {
  mode: 'any' | 'all';
  events: ListenerEntry[];
  lifespanMs: number | null;
  correlate: string[];
}

const patterns = (context: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? v : JSON.stringify(v)]));

/** The listener a start needs, or undefined for starts that do not listen. */
export function listenerOf(start: Start): ListenerSpec | undefined {
  switch (start.type) {
    case 'event':
      return { mode: 'any', events: [{ type: start.event.type, context: patterns(start.event.context) }], lifespanMs: null, correlate: [] };
    case 'eventsXor':
      return { mode: 'any', events: start.events.map((e) => ({ type: e.type, context: patterns(e.context) })), lifespanMs: null, correlate: [] };
    case 'eventsAnd':
      return {
        mode: 'all',
        events: start.events.map((e) => ({ type: e.type, context: patterns(e.context) })),
        lifespanMs: start.lifespanMs ?? null,
        correlate: start.correlate.map((c) => c.toLowerCase()),
      };
    default:
      return undefined;
  }
}

/** Replaces the workflow's listener with what its (new) revision needs; a workflow hook. */
export async function syncListeners(q: Queryable, change: WorkflowChange): Promise<void> {
  await q.query('DELETE FROM event_listeners WHERE workflow_uid = $1', [change.ref.uid]);
  if (change.kind === 'deleted' || !change.ref.active) return;
  const spec = listenerOf(change.workflow.start);
  if (!spec) return;
  await q.query(
    `WITH l AS (
       INSERT INTO event_listeners (namespace, workflow_uid, mode, events, lifespan_ms, correlate, revision)
       VALUES ($1, $2, $3, $4::json, $5, $6, $8) RETURNING id)
     INSERT INTO event_listener_types (namespace, type, listener_id)
     SELECT $1, t, l.id FROM l, unnest($7::text[]) AS t`,
    [
      change.ref.namespace,
      change.ref.uid,
      spec.mode,
      JSON.stringify(spec.events),
      spec.lifespanMs,
      spec.correlate,
      [...new Set(spec.events.map((e) => e.type))],
      change.ref.revision,
    ],
  );
}
