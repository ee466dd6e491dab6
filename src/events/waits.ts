/**
 * Instance waits (consumeEvent, eventAnd, eventXor): one row per waiting instance, written in
 * the engine's step transaction and consumed by the event that ends the wait, in the event's
 * transaction, which queues the instance's wake-up through the engine.
 */
import type { Queryable } from '../db/index.js';
import type { Value } from '../jq/index.js';
import type { ListenerEntry } from './listeners.js';

export interface WaitSpec {
  namespace: string;
  instanceId: string;
  /** the step that waits: a wake-up for another step is ignored by the engine */
  step: number;
  /** any: the first matching event ends the wait (consumeEvent, eventXor); all: one per entry (eventAnd) */
  mode: 'any' | 'all';
  /** context patterns already evaluated against the instance data */
  events: ListenerEntry[];
}

/** One event a wait received: the entry it matched and what the workflow sees of it. */
export interface WaitEvent {
  slot: number;
  type: string;
  data: Value;
}

/** Waits begun per transaction: an intake that read candidates for many events at once must read them again after one. */
const begun = new WeakMap<Queryable, number>();

export const waitsBegun = (q: Queryable): number => begun.get(q) ?? 0;

/** Begins an instance's wait, replacing any earlier one (an instance waits in one state at a time). */
export async function registerWait(q: Queryable, w: WaitSpec): Promise<void> {
  begun.set(q, waitsBegun(q) + 1);
  await q.query('DELETE FROM event_waits WHERE instance_id = $1', [w.instanceId]);
  await q.query(
    `WITH w AS (
       INSERT INTO event_waits (namespace, instance_id, step, mode, events, gathered)
       VALUES ($1, $2, $3, $4, $5::json, $6::json) RETURNING id)
     INSERT INTO event_wait_types (namespace, type, wait_id)
     SELECT $1, t, w.id FROM w, unnest($7::text[]) AS t`,
    [
      w.namespace,
      w.instanceId,
      w.step,
      w.mode,
      JSON.stringify(w.events),
      w.mode === 'all' ? JSON.stringify(w.events.map(() => null)) : null,
      [...new Set(w.events.map((e) => e.type))],
    ],
  );
}

/** Ends the wait of one step (a timeout, an error, a cancel); a later step's wait stays. */
export async function removeWait(q: Queryable, instanceId: string, step: number): Promise<void> {
  await q.query('DELETE FROM event_waits WHERE instance_id = $1 AND step = $2', [instanceId, step]);
}

export interface WaitRow {
  id: string;
  instance_id: string;
  step: number;
  mode: 'any' | 'all';
  events: ListenerEntry[];
}

/**
 * Gives one event to a wait whose entries `slots` it matches. Returns the events that end the
 * wait, or undefined while an eventAnd still misses some, or when a concurrent event ended the
 * wait first (the row is locked or deleted here, so exactly one event ends each wait).
 */
export async function offerToWait(q: Queryable, w: WaitRow, ev: { type: string; payload: Value }, slots: number[]): Promise<WaitEvent[] | undefined> {
  if (w.mode === 'any') {
    const gone = await q.query('DELETE FROM event_waits WHERE id = $1', [w.id]);
    return gone.rowCount === 1 ? [{ slot: slots[0]!, type: ev.type, data: ev.payload }] : undefined;
  }
  const { rows } = await q.query<{ gathered: (WaitEvent | null)[] }>('SELECT gathered FROM event_waits WHERE id = $1 FOR UPDATE', [w.id]);
  const gathered = rows[0]?.gathered;
  if (!gathered) return undefined;
  for (const s of slots) gathered[s] = { slot: s, type: ev.type, data: ev.payload };
  if (gathered.every((g) => g !== null)) {
    await q.query('DELETE FROM event_waits WHERE id = $1', [w.id]);
    return gathered;
  }
  await q.query('UPDATE event_waits SET gathered = $2::json WHERE id = $1', [w.id, JSON.stringify(gathered)]);
  return undefined;
}
