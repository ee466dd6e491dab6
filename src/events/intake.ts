/**
 * Accepting events: each event is stored, matched against the namespace's listeners and
 * delivered (instances started) in ONE transaction with the request, so an event answered 202
 * has done everything it will do, and a failed request has done nothing. A duplicate (same
 * source and id in the namespace) is accepted once.
 */
import type { Db, Queryable } from '../db/index.js';
import type { JsonObject, Value } from '../jq/index.js';
import { matchesGlob } from '../language/index.js';
import { requireNamespace } from '../namespaces/index.js';
import type { ListenerEntry } from './listeners.js';
import type { ParsedEvent } from './parse.js';

/** What the events module needs of the engine (the Engine class provides it). */
export interface InstanceStarter {
  startQueued(
    q: Queryable,
    req: { namespace: string; workflow: string; input: JsonObject; invokedBy: { kind: 'event'; eventIds: string[] } },
  ): Promise<string | undefined>;
  queuedStarted(namespace: string, count: number): void;
}

export interface AcceptResult {
  /** events stored now */
  accepted: number;
  /** events already stored before (same source and id): not delivered again */
  duplicates: number;
  /** instances started by them */
  started: string[];
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
  const result = await db.tx(async (q) => {
    await requireNamespace(q, namespace);
    const r: AcceptResult = { accepted: 0, duplicates: 0, started: [] };
    for (const ev of events) {
      const { rows } = await q.query<{ seq: string }>(
        `INSERT INTO events (namespace, id, source, type, time, attributes, payload)
         VALUES ($1, $2, $3, $4, $5, $6::json, $7::json)
         ON CONFLICT (namespace, source, id) DO NOTHING RETURNING seq`,
        [namespace, ev.id, ev.source, ev.type, ev.time ?? null, JSON.stringify(ev.attributes), JSON.stringify(ev.payload)],
      );
      if (rows.length === 0) {
        r.duplicates++;
        continue;
      }
      r.accepted++;
      const stored: StoredEvent = { seq: rows[0]!.seq, id: ev.id, type: ev.type, attributes: ev.attributes, payload: ev.payload };
      r.started.push(...(await deliver(q, starter, namespace, stored)));
    }
    return r;
  });
  starter.queuedStarted(namespace, result.started.length);
  return result;
}

/** Matches one stored event against the namespace's listeners; returns the instances it started. */
export async function deliver(q: Queryable, starter: InstanceStarter, namespace: string, ev: StoredEvent): Promise<string[]> {
  const { rows } = await q.query<ListenerRow>(
    `SELECT l.id, l.mode, l.events, l.lifespan_ms, l.correlate, w.name AS workflow
       FROM event_listener_types t
       JOIN event_listeners l ON l.id = t.listener_id
       JOIN workflows w ON w.uid = l.workflow_uid
      WHERE t.namespace = $1 AND t.type = $2 AND w.active
      ORDER BY l.id`,
    [namespace, ev.type],
  );
  const started: string[] = [];
  for (const l of rows) {
    const slots = l.events.flatMap((e, i) => (e.type === ev.type && contextMatches(e.context, ev.attributes) ? [i] : []));
    if (slots.length === 0) continue;
    const ids = l.mode === 'any' ? await startOne(q, starter, namespace, l, [ev]) : await gather(q, starter, namespace, l, ev, slots);
    started.push(...ids);
  }
  return started;
}

async function startOne(q: Queryable, starter: InstanceStarter, namespace: string, l: ListenerRow, evs: StoredEvent[]): Promise<string[]> {
  const input: JsonObject = {};
  for (const e of evs) input[e.type] = e.payload;
  const id = await starter.startQueued(q, { namespace, workflow: l.workflow, input, invokedBy: { kind: 'event', eventIds: evs.map((e) => e.id) } });
  if (!id) return [];
  await q.query(
    `INSERT INTO event_deliveries (event_seq, instance_id, kind)
     SELECT s, $2, 'started' FROM unnest($1::bigint[]) AS s ON CONFLICT DO NOTHING`,
    [evs.map((e) => e.seq), id],
  );
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
