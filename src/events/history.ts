/** The events a namespace received, newest first, with what each did; and replays of them. */
import type { Db, Queryable } from '../db/index.js';
import type { Value } from '../jq/index.js';
import { requireNamespace } from '../namespaces/index.js';
import { deliver, inTx } from './intake.js';
import type { Delivered, InstanceStarter } from './intake.js';

export interface Delivery {
  instanceId: string;
  kind: 'started' | 'woke';
}

export interface EventRecord {
  /** the history's own id of the event (replay takes it) */
  seq: number;
  id: string;
  source: string;
  type: string;
  time: string | null;
  receivedAt: string;
  deliveries: Delivery[];
}

export interface EventDetail extends EventRecord {
  attributes: Record<string, unknown>;
  payload: Value;
}

/** No stored event with that sequence number in the namespace. */
export class EventNotFoundError extends Error {
  override name = 'EventNotFoundError';
  constructor(namespace: string, seq: number) {
    super(`event ${seq} does not exist in namespace ${JSON.stringify(namespace)}`);
  }
}

interface Row {
  seq: string;
  id: string;
  source: string;
  type: string;
  time: string | null;
  received_at: Date;
  deliveries: Delivery[] | null;
  attributes?: Record<string, unknown>;
  payload?: Value;
  total?: string;
}

const record = (r: Row): EventRecord => ({
  seq: Number(r.seq),
  id: r.id,
  source: r.source,
  type: r.type,
  time: r.time,
  receivedAt: new Date(r.received_at).toISOString(),
  deliveries: r.deliveries ?? [],
});

const DELIVERIES = `(SELECT json_agg(json_build_object('instanceId', d.instance_id, 'kind', d.kind) ORDER BY d.instance_id)
                       FROM event_deliveries d WHERE d.event_seq = e.seq) AS deliveries`;

export async function listEvents(
  q: Queryable,
  namespace: string,
  page: { offset: number; limit: number; type?: string | undefined },
): Promise<{ items: EventRecord[]; total: number }> {
  await requireNamespace(q, namespace);
  const { rows } = await q.query<Row>(
    `SELECT e.seq, e.id, e.source, e.type, e.time, e.received_at, ${DELIVERIES}, count(*) OVER () AS total
       FROM events e WHERE e.namespace = $1 AND ($2::text IS NULL OR e.type = $2)
      ORDER BY e.seq DESC LIMIT $3 OFFSET $4`,
    [namespace, page.type ?? null, page.limit, page.offset],
  );
  let total = rows[0]?.total;
  if (total === undefined) {
    const c = await q.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE namespace = $1 AND ($2::text IS NULL OR type = $2)', [
      namespace,
      page.type ?? null,
    ]);
    total = c.rows[0]!.n;
  }
  return { items: rows.map(record), total: Number(total) };
}

export async function getEvent(q: Queryable, namespace: string, seq: number): Promise<EventDetail> {
  await requireNamespace(q, namespace);
  const { rows } = await q.query<Row>(
    `SELECT e.seq, e.id, e.source, e.type, e.time, e.received_at, e.attributes, e.payload, ${DELIVERIES}
       FROM events e WHERE e.namespace = $1 AND e.seq = $2`,
    [namespace, seq],
  );
  const r = rows[0];
  if (!r) throw new EventNotFoundError(namespace, seq);
  return { ...record(r), attributes: r.attributes!, payload: r.payload ?? null };
}

/** Delivers a stored event again, to the listeners and waits there are now. */
export async function replayEvent(db: Db, starter: InstanceStarter, namespace: string, seq: number): Promise<Delivered> {
  const { value: d, committed } = await inTx(db, starter, async (q, now) => {
    const ev = await getEvent(q, namespace, seq);
    return deliver(q, now, namespace, { seq: String(ev.seq), id: ev.id, type: ev.type, attributes: ev.attributes, payload: ev.payload });
  });
  committed();
  starter.queuedStarted(namespace, 0, d.woken.length);
  return d;
}
