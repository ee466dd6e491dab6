/**
 * Accepting events: each event is stored, matched against the namespace's listeners and
 * delivered (instances started) in ONE transaction with the request, so an event answered 202
 * has done everything it will do, and a failed request has done nothing. A duplicate (same
 * source and id in the namespace) is accepted once.
 */
import { retryTransient } from '../db/index.js';
import type { Db, Queryable, Tx } from '../db/index.js';
import type { JsonObject, Value } from '../jq/index.js';
import { matchesGlob } from '../language/index.js';
import { eventsReceived } from '../metrics/index.js';
import { NamespaceNotFoundError, requireNamespace } from '../namespaces/index.js';
import type { ListenerEntry } from './listeners.js';
import type { ParsedEvent } from './parse.js';
import { offerToWait, waitsBegun } from './waits.js';
import type { WaitEvent, WaitRow } from './waits.js';

/** A start request; `locked` names the revision when the caller holds the workflow row share-locked. */
export interface StartRequest {
  namespace: string;
  workflow: string;
  locked?: { uid: string; revision: number };
  input: JsonObject;
  invokedBy: { kind: 'event'; eventIds: string[] };
}

/** First writes of started instances held back by the starter; `flush` sends them with the commit. */
export interface HeldStarts {
  flush(q: Tx): void;
}

/** What the events module needs of the engine (the Engine class provides it). */
export interface InstanceStarter {
  /** Creates and queues an instance in the caller's transaction; undefined when the workflow is gone or disabled. */
  startQueued(q: Queryable, req: StartRequest): Promise<string | undefined>;
  /**
   * Creates an instance and runs its first states in the caller's transaction; `committed` runs
   * after the commit (the instance's calls, metrics). For events that arrive through the API:
   * an event emitted by a running instance starts instances queued, so a workflow that emits
   * the event it starts on cannot recurse inside one transaction.
   */
  startNow(q: Queryable, req: StartRequest, held?: HeldStarts): Promise<{ id: string; committed: () => void } | undefined>;
  /** Where `startNow` may hold back instances' first writes, to write them together before the commit. */
  holdStarts(): HeldStarts;
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
  revision: number;
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
  const [result] = await acceptTogether(db, starter, [{ namespace, events }]);
  return result!;
}

/**
 * Several requests' events accepted in one transaction, each request with its own result: all
 * stored and matched by one statement, then delivered in order. A first state that begins a
 * wait may be what a later event of the transaction ends, so once one did, each later event's
 * candidates are read again.
 */
async function acceptTogether(db: Db, starter: InstanceStarter, requests: { namespace: string; events: ParsedEvent[] }[]): Promise<AcceptResult[]> {
  const { value: results, committed } = await inTx(db, starter, async (q, now) => {
    const log = new DeliveryLog();
    // A non-empty batch finds an unknown namespace through the events' foreign key.
    for (const { namespace, events } of requests) if (events.length === 0) await requireNamespace(q, namespace);
    const all = requests.flatMap(({ namespace, events }, r) => events.map((ev) => ({ r, namespace, ev })));
    const stored = await storeAll(q, all);
    const waits = waitsBegun(q);
    const out = requests.map((): AcceptResult => ({ accepted: 0, duplicates: 0, started: [], woken: [] }));
    for (const [i, { r, namespace, ev }] of all.entries()) {
      const s = stored[i];
      if (!s) {
        out[r]!.duplicates++;
        continue;
      }
      const candidates = waitsBegun(q) === waits ? s.candidates : await candidatesOf(q, namespace, ev.type);
      const d = await offer({ q, starter: now, namespace, log }, s.event, candidates);
      out[r]!.accepted++;
      out[r]!.started.push(...d.started);
      out[r]!.woken.push(...d.woken);
    }
    log.flushWithCommit(q);
    return out;
  });
  committed();
  requests.forEach(({ namespace }, i) => {
    const r = results[i]!;
    starter.queuedStarted(namespace, 0, r.woken.length);
    if (r.accepted > 0) eventsReceived.inc({ namespace, outcome: 'accepted' }, r.accepted);
    if (r.duplicates > 0) eventsReceived.inc({ namespace, outcome: 'duplicate' }, r.duplicates);
  });
  return results;
}

interface Pending {
  namespace: string;
  events: ParsedEvent[];
  resolve: (r: AcceptResult) => void;
  reject: (err: unknown) => void;
}

/**
 * The API's intake with group commit: a request that arrives while `concurrency` transactions
 * are busy waits, and the requests waiting when one finishes share the next transaction (up to
 * `maxEvents` events), so under load each commit carries many events and an idle node answers
 * a single event at once. If a shared transaction fails (one request named an unknown
 * namespace), its requests are accepted one by one, so each gets its own answer.
 */
export class EventIntake {
  private readonly waiting: Pending[] = [];
  private busy = 0;

  constructor(
    private readonly db: Db,
    private readonly starter: InstanceStarter,
    // Few transactions at once, so waiting requests form large groups; measured best at two with a pool of ten.
    private readonly concurrency = Math.max(2, Math.floor(db.concurrency / 5)),
    private readonly maxEvents = 500,
  ) {}

  accept(namespace: string, events: ParsedEvent[]): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ namespace, events, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.busy < this.concurrency && this.waiting.length > 0) {
      let n = 0;
      let events = 0;
      while (n < this.waiting.length && (n === 0 || events + this.waiting[n]!.events.length <= this.maxEvents)) {
        events += this.waiting[n]!.events.length;
        n++;
      }
      const group = this.waiting.splice(0, n);
      this.busy++;
      void this.run(group).finally(() => {
        this.busy--;
        this.pump();
      });
    }
  }

  private async run(group: Pending[]): Promise<void> {
    try {
      const results = await acceptTogether(this.db, this.starter, group);
      group.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      // In arrival order, so the first of two requests with the same event is the one that stores it.
      for (const p of group) await acceptEvents(this.db, this.starter, p.namespace, p.events).then(p.resolve, p.reject);
    }
  }
}

/**
 * Runs a delivering transaction (retried when PostgreSQL picks it as a deadlock victim) with a
 * starter whose instances run their first states in it, their writes held back and sent
 * together with the commit; call `committed` once after it, to hand over what those states
 * started (the caller wakes workers for the waits the events ended).
 */
export async function inTx<T>(
  db: Db,
  starter: InstanceStarter,
  fn: (q: Tx, now: InstanceStarter) => Promise<T>,
): Promise<{ value: T; committed: () => void }> {
  let after: (() => void)[] = [];
  const value = await retryTransient(() => {
    after = [];
    const held = starter.holdStarts();
    const now: InstanceStarter = {
      startQueued: async (q, req) => {
        const s = await starter.startNow(q, req, held);
        if (s) after.push(s.committed);
        return s?.id;
      },
      startNow: (q, req) => starter.startNow(q, req, held),
      holdStarts: () => held,
      wakeQueued: (q, id, step, events) => starter.wakeQueued(q, id, step, events),
      queuedStarted: (ns, started, woken) => starter.queuedStarted(ns, started, woken),
    };
    // Its statements find rows by key: each is planned once per connection, not per call.
    return db.tx(
      async (q) => {
        const v = await fn(q, now);
        held.flush(q);
        return v;
      },
      { planOnce: true },
    );
  });
  return {
    value,
    committed() {
      for (const a of after) a();
    },
  };
}

const LISTENER_COLUMNS = 'l.workflow_uid, l.lifespan_ms, l.correlate, l.revision, w.name AS workflow';

/**
 * Start listeners and waits of the namespace for the event's type ($ns, $type): the candidates
 * to match. A start listener comes with its workflow row share-locked: a workflow change locks
 * that row before it replaces the listener, so the event either starts the revision that
 * listened when it arrived (the change waits for this transaction) or, when the change
 * committed while the lock was awaited, sees the workflow's new revision (`current`) next to
 * the listener's, and the listener is read again (`startFrom`).
 */
const candidatesSql = (ns: string, type: string) => `
  SELECT * FROM (
    SELECT 'start' AS kind, l.id, l.mode, l.events, NULL AS instance_id, NULL::int AS step,
           ${LISTENER_COLUMNS}, w.revision AS current
      FROM event_listener_types t
      JOIN event_listeners l ON l.id = t.listener_id
      JOIN workflows w ON w.uid = l.workflow_uid
     WHERE t.namespace = ${ns} AND t.type = ${type} AND w.active
       FOR SHARE OF w) s
  UNION ALL
  SELECT 'wait', w.id, w.mode, w.events, w.instance_id, w.step, NULL, NULL, NULL, NULL, NULL, NULL
    FROM event_wait_types t JOIN event_waits w ON w.id = t.wait_id
   WHERE t.namespace = ${ns} AND t.type = ${type}`;

/** Candidates are offered in one order in every transaction (offers lock listener and wait rows), so two events cannot deadlock. */
const CANDIDATE_ORDER = 'kind, id';

/** A stored event with the candidates it was matched against. */
interface Stored {
  event: StoredEvent;
  candidates: Candidate[];
}

/**
 * Stores events and reads each one's candidates (start listeners with their workflow rows
 * share-locked, and waits) in one statement; per event, undefined for a duplicate (already
 * stored, or earlier in `events`), which is not delivered again. An unknown namespace is the
 * insert's foreign key.
 */
async function storeAll(q: Queryable, events: { namespace: string; ev: ParsedEvent }[]): Promise<(Stored | undefined)[]> {
  if (events.length === 0) return [];
  let rows: ({ n: number; seq: string } & (Candidate | { kind: null }))[];
  try {
    ({ rows } = await q.query<{ n: number; seq: string } & (Candidate | { kind: null })>(
      `WITH x AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[], $7::json[])
           WITH ORDINALITY AS x(namespace, id, source, type, time, attributes, payload, n)),
       e AS (
         INSERT INTO events (namespace, id, source, type, time, attributes, payload)
         SELECT namespace, id, source, type, time, attributes, payload FROM x ORDER BY n
         ON CONFLICT (namespace, source, id) DO NOTHING RETURNING seq, namespace, source, id),
       kept AS (
         SELECT DISTINCT ON (e.seq) e.seq, x.n, x.namespace, x.type FROM e JOIN x USING (namespace, source, id) ORDER BY e.seq, x.n)
       SELECT kept.n, kept.seq, c.* FROM kept LEFT JOIN LATERAL (${candidatesSql('kept.namespace', 'kept.type')}) c ON true
       ORDER BY kept.n, ${CANDIDATE_ORDER}`,
      [
        events.map((e) => e.namespace),
        events.map((e) => e.ev.id),
        events.map((e) => e.ev.source),
        events.map((e) => e.ev.type),
        events.map((e) => e.ev.time ?? null),
        events.map((e) => JSON.stringify(e.ev.attributes)),
        events.map((e) => JSON.stringify(e.ev.payload)),
      ],
    ));
  } catch (err) {
    const namespaces = new Set(events.map((e) => e.namespace));
    if ((err as { code?: unknown }).code === '23503' && namespaces.size === 1) throw new NamespaceNotFoundError(events[0]!.namespace);
    throw err;
  }
  const out: (Stored | undefined)[] = events.map(() => undefined);
  for (const row of rows) {
    const i = Number(row.n) - 1;
    const { ev } = events[i]!;
    const s = (out[i] ??= { event: { seq: row.seq, id: ev.id, type: ev.type, attributes: ev.attributes, payload: ev.payload }, candidates: [] });
    if (row.kind !== null) s.candidates.push(row);
  }
  return out;
}

/**
 * Stores one event and delivers it, in the caller's transaction (the step of an instance that
 * emits it); undefined for a duplicate, which is not delivered again.
 */
export async function storeAndDeliver(q: Queryable, starter: InstanceStarter, namespace: string, ev: ParsedEvent): Promise<Delivered | undefined> {
  const [s] = await storeAll(q, [{ namespace, ev }]);
  return s && offerAll({ q, starter, namespace, log: new DeliveryLog() }, s.event, s.candidates);
}

export interface Delivered {
  started: string[];
  woken: string[];
}

type Candidate = ({ kind: 'start'; current: number } & ListenerRow) | ({ kind: 'wait' } & WaitRow);

/** Delivers an event already stored (a replay) to the listeners and waits there are now. */
export async function deliver(q: Queryable, starter: InstanceStarter, namespace: string, ev: StoredEvent): Promise<Delivered> {
  return offerAll({ q, starter, namespace, log: new DeliveryLog() }, ev, await candidatesOf(q, namespace, ev.type));
}

async function candidatesOf(q: Queryable, namespace: string, type: string): Promise<Candidate[]> {
  return (await q.query<Candidate>(`${candidatesSql('$1', '$2')} ORDER BY ${CANDIDATE_ORDER}`, [namespace, type])).rows;
}

/** One transaction's delivery: where it runs, who starts instances, and what it records. */
interface Ctx {
  q: Queryable;
  starter: InstanceStarter;
  namespace: string;
  log: DeliveryLog;
}

async function offerAll(x: Ctx, ev: StoredEvent, candidates: Candidate[]): Promise<Delivered> {
  const d = await offer(x, ev, candidates);
  await x.log.flush(x.q);
  return d;
}

/** Matches the event against the candidates' context patterns and starts or wakes what matches. */
async function offer(x: Ctx, ev: StoredEvent, candidates: Candidate[]): Promise<Delivered> {
  const { q, starter, log } = x;
  const out: Delivered = { started: [], woken: [] };
  for (const c of candidates) {
    const slots = slotsOf(c.events, ev);
    if (slots.length === 0) continue;
    if (c.kind === 'wait') {
      const ended = await offerToWait(q, c, ev, slots);
      if (!ended) continue;
      await starter.wakeQueued(q, c.instance_id, c.step, ended);
      log.add([ev.seq], c.instance_id, 'woke');
      out.woken.push(c.instance_id);
    } else {
      out.started.push(...(await startFrom(x, c, ev)));
    }
  }
  return out;
}

/** The entries of a listener or wait the event matches: its type, and every context pattern. */
const slotsOf = (entries: ListenerEntry[], ev: StoredEvent): number[] =>
  entries.flatMap((e, i) => (e.type === ev.type && contextMatches(e.context, ev.attributes) ? [i] : []));

/** Re-reads a listener whose workflow changed while the event waited for the workflow row's lock (held now). */
async function startFrom(x: Ctx, c: ListenerRow & { current: number }, ev: StoredEvent): Promise<string[]> {
  let l: ListenerRow | undefined = c;
  if (c.revision !== c.current) {
    const { rows } = await x.q.query<ListenerRow>(
      `SELECT l.id, l.mode, l.events, ${LISTENER_COLUMNS} FROM workflows w JOIN event_listeners l ON l.workflow_uid = w.uid WHERE w.uid = $1`,
      [c.workflow_uid],
    );
    l = rows[0];
  }
  const slots = l ? slotsOf(l.events, ev) : [];
  if (!l || slots.length === 0) return [];
  return l.mode === 'any' ? startOne(x, l, [ev]) : gather(x, l, ev, slots);
}

const DELIVERIES_SQL = `INSERT INTO event_deliveries (event_seq, instance_id, kind)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`;

/**
 * What the events of one transaction started and woke (the history's deliveries), written
 * in one statement when the transaction's events are delivered.
 */
export class DeliveryLog {
  private readonly seqs: string[] = [];
  private readonly instances: string[] = [];
  private readonly kinds: string[] = [];

  add(seqs: string[], instanceId: string, kind: 'started' | 'woke'): void {
    for (const seq of seqs) {
      this.seqs.push(seq);
      this.instances.push(instanceId);
      this.kinds.push(kind);
    }
  }

  async flush(q: Queryable): Promise<void> {
    if (this.seqs.length > 0) await q.query(DELIVERIES_SQL, this.take());
  }

  /** The same, sent with the transaction's commit. */
  flushWithCommit(q: Tx): void {
    if (this.seqs.length > 0) q.beforeCommit(DELIVERIES_SQL, this.take());
  }

  private take(): unknown[] {
    return [this.seqs.splice(0), this.instances.splice(0), this.kinds.splice(0)];
  }
}

async function startOne(x: Ctx, l: ListenerRow, evs: StoredEvent[]): Promise<string[]> {
  const input: JsonObject = {};
  for (const e of evs) input[e.type] = e.payload;
  const id = await x.starter.startQueued(x.q, {
    namespace: x.namespace,
    workflow: l.workflow,
    locked: { uid: l.workflow_uid, revision: l.revision },
    input,
    invokedBy: { kind: 'event', eventIds: evs.map((e) => e.id) },
  });
  if (!id) return [];
  x.log.add(evs.map((e) => e.seq), id, 'started');
  return [id];
}

/**
 * eventsAnd: keeps the event in its correlation group's slots; when every entry has an event,
 * the group starts one instance and is emptied. The listener row is locked, so two events
 * completing one group in two transactions cannot both miss each other.
 */
async function gather(x: Ctx, l: ListenerRow, ev: StoredEvent, slots: number[]): Promise<string[]> {
  const { q } = x;
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
  return startOne(x, l, distinct);
}
