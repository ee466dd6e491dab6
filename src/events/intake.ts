/**
 * Accepting events: each event is stored, matched against the namespace's listeners and
 * delivered (instances started) in ONE transaction with the request, so an event answered 202
 * has done everything it will do, and a failed request has done nothing. A duplicate (same
 * source and id in the namespace) is accepted once.
 */
import { retryTransient } from '../db/index.js';
import type { Db, Queryable } from '../db/index.js';
import type { JsonObject, Value } from '../jq/index.js';
import { matchesGlob } from '../language/index.js';
import { eventsReceived } from '../metrics/index.js';
import { requireNamespace } from '../namespaces/index.js';
import type { ListenerEntry } from './listeners.js';
import type { ParsedEvent } from './parse.js';
import { offerToWait } from './waits.js';
import type { WaitEvent, WaitRow } from './waits.js';

/** What the events module needs of the engine (the Engine class provides it). */
export interface InstanceStarter {
  /** Creates and queues an instance in the caller's transaction; undefined when the workflow is gone or disabled. */
  startQueued(
    q: Queryable,
    req: { namespace: string; workflow: string; input: JsonObject; invokedBy: { kind: 'event'; eventIds: string[] } },
  ): Promise<string | undefined>;
  /** Queues the wake-up of a waiting instance's step with the events that ended its wait. */
  wakeQueued(q: Queryable, instanceId: string, step: number, events: WaitEvent[]): Promise<void>;
  /** After the commit: metrics, and workers woken for what was queued. */
  queuedStarted(namespace: string, started: number, woken: number): void;
}

export interface AcceptResult {
  /** events stored now */
  accepted: number;
  /** events already stored before (same source and id): not delivered again */
  duplicates: number;
  /** instances started by them */
  started: string[];
  /** waiting instances they woke */
  woken: string[];
}

/** A stored event as delivery needs it. */
export interface StoredEvent {
  seq: string;
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  payload: Value;
}

interface ListenerRow {
  id: string;
  workflow_uid: string;
  mode: 'any' | 'all';
  events: ListenerEntry[];
  lifespan_ms: string | null;
  correlate: string[];
  workflow: string;
}

/** Every pattern names an attribute the event has, and matches its value as a glob. */
export function contextMatches(context: Record<string, string>, attributes: Record<string, unknown>): boolean {
  for (const [k, pattern] of Object.entries(context)) {
    const v = attributes[k];
    if (v === undefined || v === null) return false;
    if (!matchesGlob(pattern, typeof v === 'string' ? v : JSON.stringify(v))) return false;
  }
  return true;
}

export async function acceptEvents(db: Db, starter: InstanceStarter, namespace: string, events: ParsedEvent[]): Promise<AcceptResult> {
  const result = await retryTransient(() => db.tx(async (q) => {
    await requireNamespace(q, namespace);
    const r: AcceptResult = { accepted: 0, duplicates: 0, started: [], woken: [] };
    for (const ev of events) {
      const d = await storeAndDeliver(q, starter, namespace, ev);
      if (!d) {
        r.duplicates++;
        continue;
      }
      r.accepted++;
      r.started.push(...d.started);
      r.woken.push(...d.woken);
    }
    return r;
  }));
  starter.queuedStarted(namespace, result.started.length, result.woken.length);
  if (result.accepted > 0) eventsReceived.inc({ namespace, outcome: 'accepted' }, result.accepted);
  if (result.duplicates > 0) eventsReceived.inc({ namespace, outcome: 'duplicate' }, result.duplicates);
  return result;
}

/**
 * Stores one event and delivers it, in the caller's transaction (the request's, or the step
 * of an instance that emits it); undefined for a duplicate, which is not delivered again.
 */
export async function storeAndDeliver(q: Queryable, starter: InstanceStarter, namespace: string, ev: ParsedEvent): Promise<Delivered | undefined> {
  const { rows } = await q.query<{ seq: string }>(
    `INSERT INTO events (namespace, id, source, type, time, attributes, payload)
     VALUES ($1, $2, $3, $4, $5, $6::json, $7::json)
     ON CONFLICT (namespace, source, id) DO NOTHING RETURNING seq`,
    [namespace, ev.id, ev.source, ev.type, ev.time ?? null, JSON.stringify(ev.attributes), JSON.stringify(ev.payload)],
  );
  if (rows.length === 0) return undefined;
  return deliver(q, starter, namespace, { seq: rows[0]!.seq, id: ev.id, type: ev.type, attributes: ev.attributes, payload: ev.payload });
}

export interface Delivered {
  started: string[];
  woken: string[];
}

type Candidate = { kind: 'start'; workflow_uid: string; events: ListenerEntry[] } | ({ kind: 'wait' } & WaitRow);

/**
 * Matches one stored event against the namespace's start listeners and instance waits: by type
 * through the two type indexes (one query), then by context patterns.
 */
export async function deliver(q: Queryable, starter: InstanceStarter, namespace: string, ev: StoredEvent): Promise<Delivered> {
  const { rows } = await q.query<Candidate>(
    `SELECT 'start' AS kind, l.id, l.workflow_uid, l.mode, l.events, NULL AS instance_id, NULL::int AS step
       FROM event_listener_types t
       JOIN event_listeners l ON l.id = t.listener_id
       JOIN workflows w ON w.uid = l.workflow_uid
      WHERE t.namespace = $1 AND t.type = $2 AND w.active
     UNION ALL
     SELECT 'wait', w.id, NULL, w.mode, w.events, w.instance_id, w.step
       FROM event_wait_types t JOIN event_waits w ON w.id = t.wait_id
      WHERE t.namespace = $1 AND t.type = $2
      -- One order for every transaction that locks these rows, so two events cannot deadlock.
      ORDER BY kind, id`,
    [namespace, ev.type],
  );
  const out: Delivered = { started: [], woken: [] };
  for (const c of rows) {
    const slots = slotsOf(c.events, ev);
    if (slots.length === 0) continue;
    if (c.kind === 'wait') {
      const ended = await offerToWait(q, c, ev, slots);
      if (!ended) continue;
      await starter.wakeQueued(q, c.instance_id, c.step, ended);
      await recordDelivery(q, [ev.seq], c.instance_id, 'woke');
      out.woken.push(c.instance_id);
    } else {
      out.started.push(...(await startFrom(q, starter, namespace, c.workflow_uid, ev)));
    }
  }
  return out;
}

/** The entries of a listener or wait the event matches: its type, and every context pattern. */
const slotsOf = (entries: ListenerEntry[], ev: StoredEvent): number[] =>
  entries.flatMap((e, i) => (e.type === ev.type && contextMatches(e.context, ev.attributes) ? [i] : []));

/**
 * Starts (or gathers toward) an instance of a workflow whose listener matched. The workflow
 * row is share-locked first and the listener read again: a workflow change locks that row
 * before it replaces the listener, so the event either starts the revision that listened when
 * it arrived (the change waits for this transaction), or is matched against the listener as
 * the change left it.
 */
async function startFrom(q: Queryable, starter: InstanceStarter, namespace: string, workflowUid: string, ev: StoredEvent): Promise<string[]> {
  const locked = await q.query('SELECT 1 FROM workflows WHERE uid = $1 AND active FOR SHARE', [workflowUid]);
  if (locked.rowCount !== 1) return [];
  const { rows } = await q.query<ListenerRow>(
    `SELECT l.id, l.workflow_uid, l.mode, l.events, l.lifespan_ms, l.correlate, w.name AS workflow
       FROM event_listeners l JOIN workflows w ON w.uid = l.workflow_uid WHERE l.workflow_uid = $1`,
    [workflowUid],
  );
  const l = rows[0];
  const slots = l ? slotsOf(l.events, ev) : [];
  if (!l || slots.length === 0) return [];
  return l.mode === 'any' ? startOne(q, starter, namespace, l, [ev]) : gather(q, starter, namespace, l, ev, slots);
}

async function recordDelivery(q: Queryable, seqs: string[], instanceId: string, kind: 'started' | 'woke'): Promise<void> {
  await q.query(
    `INSERT INTO event_deliveries (event_seq, instance_id, kind)
     SELECT s, $2, $3 FROM unnest($1::bigint[]) AS s ON CONFLICT DO NOTHING`,
    [seqs, instanceId, kind],
  );
}

async function startOne(q: Queryable, starter: InstanceStarter, namespace: string, l: ListenerRow, evs: StoredEvent[]): Promise<string[]> {
  const input: JsonObject = {};
  for (const e of evs) input[e.type] = e.payload;
  const id = await starter.startQueued(q, { namespace, workflow: l.workflow, input, invokedBy: { kind: 'event', eventIds: evs.map((e) => e.id) } });
  if (!id) return [];
  await recordDelivery(q, evs.map((e) => e.seq), id, 'started');
  return [id];
}

/**
 * eventsAnd: keeps the event in its correlation group's slots; when every entry has an event,
 * the group starts one instance and is emptied. The listener row is locked, so two events
 * completing one group in two transactions cannot both miss each other.
 */
async function gather(
  q: Queryable,
  starter: InstanceStarter,
  namespace: string,
  l: ListenerRow,
  ev: StoredEvent,
  slots: number[],
): Promise<string[]> {
  const values = l.correlate.map((a) => ev.attributes[a]);
  // An event without a correlated attribute cannot belong to any group.
  if (values.some((v) => v === undefined || v === null)) return [];
  const group = JSON.stringify(values);
  // Events gather one at a time per listener (the workflow row is already share-locked, so the listener stays).
  await q.query('SELECT 1 FROM event_listeners WHERE id = $1 FOR UPDATE', [l.id]);
  if (l.lifespan_ms !== null) {
    await q.query(`DELETE FROM event_gathered WHERE listener_id = $1 AND received_at < now() - $2 * interval '1 millisecond'`, [
      l.id,
      Number(l.lifespan_ms),
    ]);
  }
  await q.query(
    `INSERT INTO event_gathered (listener_id, group_key, slot, event_seq)
     SELECT $1, $2, s, $3 FROM unnest($4::int[]) AS s
     ON CONFLICT (listener_id, group_key, slot) DO UPDATE SET event_seq = EXCLUDED.event_seq, received_at = now()`,
    [l.id, group, ev.seq, slots],
  );
  const { rows } = await q.query<{ slot: number; seq: string; id: string; type: string; attributes: Record<string, unknown>; payload: Value }>(
    `SELECT g.slot, e.seq, e.id, e.type, e.attributes, e.payload
       FROM event_gathered g JOIN events e ON e.seq = g.event_seq
      WHERE g.listener_id = $1 AND g.group_key = $2 ORDER BY g.slot`,
    [l.id, group],
  );
  if (rows.length < l.events.length) return [];
  await q.query('DELETE FROM event_gathered WHERE listener_id = $1 AND group_key = $2', [l.id, group]);
  const distinct = [...new Map(rows.map((r) => [r.seq, { seq: r.seq, id: r.id, type: r.type, attributes: r.attributes, payload: r.payload }])).values()];
  return startOne(q, starter, namespace, l, distinct);
}
