/**
 * consumeEvent, eventAnd and eventXor wait for CloudEvents: on entry the context values are
 * evaluated against the instance data and the wait is registered with the events component in
 * the step's transaction; the event that ends the wait queues a wake-up with the payloads.
 * generateEvent emits an event into the instance's namespace, in the step's transaction.
 */
import type { JsonObject, Value } from '../../jq/index.js';
import { evaluateTemplate } from '../../language/index.js';
import type { ConsumeEventState, EventAndState, EventFilter, EventXorState, GenerateEventState } from '../../language/index.js';
import type { ReceivedEvent, WaitEntry } from '../ports.js';
import { WAIT } from '../step.js';
import type { Outcome, Step } from '../step.js';
import type { StateLogic } from './logic.js';
import { next } from './logic.js';

type WaitingState = ConsumeEventState | EventAndState | EventXorState;

const filtersOf = (s: WaitingState): EventFilter[] =>
  s.type === 'consumeEvent' ? [s.event] : s.type === 'eventAnd' ? s.events : s.events.map((b) => b.event);

/** Context patterns as strings: a `jq(...)` value is evaluated now, so the wait correlates with this instance. */
function entryOf(c: Step, f: EventFilter): WaitEntry {
  const context: Record<string, string> = {};
  for (const [k, t] of Object.entries(f.context)) {
    const v = evaluateTemplate(t, c.inst.data, c.jqOptions);
    context[k.toLowerCase()] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { type: f.type, context };
}

async function enter(c: Step, s: WaitingState): Promise<Outcome> {
  const events = filtersOf(s).map((f) => entryOf(c, f));
  await c.deps.events.wait(c.q, {
    namespace: c.inst.namespace,
    instanceId: c.inst.id,
    step: c.inst.step,
    mode: s.type === 'eventAnd' ? 'all' : 'any',
    events,
  });
  c.waits = true;
  c.inst.memory = { waiting: true };
  c.schedule('timeout', { scope: 'state' }, s.timeoutMs ?? c.deps.settings.stateTimeoutMs);
  c.log(`Registered to receive events: ${[...new Set(events.map((e) => e.type))].join(', ')}.`);
  return WAIT;
}

function receive(c: Step, payload: Value): ReceivedEvent[] {
  const events = (payload as unknown as { events: ReceivedEvent[] }).events;
  const data: JsonObject = { ...c.inst.data };
  for (const e of events) data[e.type] = e.data;
  c.inst.data = data;
  c.log(`Received ${events.length === 1 ? 'event' : 'events'}: ${events.map((e) => e.type).join(', ')}.`);
  return events;
}

/** Leaving the state by a timeout, an error or a cancel: the wait must not outlive it. */
function cancel(c: Step): void {
  const { id } = c.inst;
  const step = c.inst.step;
  c.beforeWrite.push(() => c.deps.events.unwait(c.q, id, step));
}

/** consumeEvent and eventAnd: the payloads under their types, then the state's own transform and transition. */
const receiveThenNext = (c: Step, s: ConsumeEventState | EventAndState, payload: Value): Outcome => {
  receive(c, payload);
  return next(s);
};

export const consumeEvent: StateLogic<ConsumeEventState> = { enter, wake: receiveThenNext, cancel };

export const eventAnd: StateLogic<EventAndState> = { enter, wake: receiveThenNext, cancel };

export const eventXor: StateLogic<EventXorState> = {
  enter,
  wake(c, s, payload) {
    // The first matching entry's branch: its transform and transition apply.
    const [first] = receive(c, payload);
    const branch = s.events[first!.slot]!;
    return { kind: 'next', transform: branch.transform, transition: branch.transition };
  },
  cancel,
};

export const generateEvent: StateLogic<GenerateEventState> = {
  async enter(c, s) {
    const e = s.event;
    const data = e.data === undefined ? c.inst.data : evaluateTemplate(e.data, c.inst.data, c.jqOptions);
    const context: Record<string, Value> = {};
    for (const [k, t] of Object.entries(e.context)) context[k] = evaluateTemplate(t, c.inst.data, c.jqOptions);
    const r = await c.deps.events.emit(c.q, c.inst.namespace, { type: e.type, source: e.source, data, datacontenttype: e.datacontenttype, context });
    c.emitted(r);
    c.log(`Generated event ${e.type} (${r.id}): started ${r.started.length}, woke ${r.woken.length}.`);
    return next(s);
  },
};
