/**
 * The state machine: given a locked instance and one work item, run state logic until the
 * instance waits, ends, or has run `chainLimit` states in this transaction. Every effect is
 * collected on the Step and written by the caller in the same transaction.
 */
import type { Value } from '../jq/index.js';
import { Codes, WorkflowError, evaluateObject, evaluateTemplate, matchesCode } from '../language/index.js';
import type { Outcome, Step } from './step.js';
import { WAIT } from './step.js';
import { logicOf } from './states/index.js';
import type { InstanceStatus } from './types.js';
import type { WorkRow } from './store.js';

type Failure = { code: string; msg: string };

/** Handles one claimed work item. Stale items (wrong step, instance ended) change nothing. */
export async function runWork(c: Step, w: WorkRow): Promise<void> {
  if (c.inst.status !== 'pending') return;
  const payload = (w.payload ?? {}) as Record<string, Value>;
  switch (w.kind) {
    case 'start':
      if (c.inst.step === 0) await begin(c);
      return;
    case 'run':
      if (w.work_step === c.inst.step) await drive(c, () => enter(c));
      return;
    case 'wake': {
      if (w.work_step !== c.inst.step) return;
      const state = c.state;
      const logic = logicOf(state);
      if (logic.wake) await drive(c, () => logic.wake!(c, state, payload));
      return;
    }
    case 'timeout':
      return timeout(c, w, payload);
    case 'cancel':
      return terminate(c, 'cancelled', {
        code: typeof payload.code === 'string' ? payload.code : Codes.cancelsApi,
        msg: typeof payload.msg === 'string' ? payload.msg : 'cancelled',
      });
  }
}

/** The first state of a new instance. */
export async function begin(c: Step): Promise<void> {
  const s = c.wf.start;
  c.log(`Beginning workflow triggered by ${describeInvoker(c)}.`);
  const t = c.wf.timeouts;
  const interrupt = t.interruptMs ?? c.deps.settings.interruptMs;
  // The kill timeout defaults to five minutes after the interrupt (language reference §9).
  const kill = t.killMs ?? (t.interruptMs !== undefined ? interrupt + 5 * 60_000 : c.deps.settings.killMs);
  // Not tied to a step (step null): leaving a state must not drop the workflow's timers.
  c.scheduleFor(c.inst.id, 'timeout', null, { scope: 'interrupt' }, interrupt);
  c.scheduleFor(c.inst.id, 'timeout', null, { scope: 'kill' }, kill);
  await drive(c, () => {
    moveTo(c, s.state);
    return enter(c);
  });
}

function describeInvoker(c: Step): string {
  const by = c.inst.invoked_by;
  return by.kind === 'subflow' ? `instance ${by.parent}` : by.kind === 'api' ? 'API' : by.kind;
}

async function timeout(c: Step, w: WorkRow, p: Record<string, Value>): Promise<void> {
  if (p.scope === 'kill') {
    return terminate(c, 'cancelled', { code: Codes.cancelsTimeout, msg: 'workflow timed out (kill timeout)' });
  }
  if (p.scope === 'state' && w.work_step !== c.inst.step) return;
  const msg = p.scope === 'state' ? `state '${c.state.id}' timed out` : 'workflow timed out (interrupt timeout)';
  await drive(c, () => {
    throw new WorkflowError(Codes.cancelsTimeout, msg);
  });
}

/** Runs `first`, then follows transitions until something waits or the instance ends. */
async function drive(c: Step, first: () => Promise<Outcome> | Outcome): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await first();
  } catch (err) {
    outcome = recover(c, err);
  }
  while (outcome.kind === 'next' && !c.ended) {
    try {
      if (outcome.transform !== undefined) {
        c.log('Transforming state data.', 'debug');
        c.inst.data = evaluateObject(outcome.transform, c.inst.data, c.jqOptions);
      }
      if (outcome.transition === undefined) return finish(c);
      moveTo(c, outcome.transition);
      if (c.entries >= c.deps.settings.chainLimit) {
        // Yield: the next state runs in a new transaction, after other work waiting in the queue.
        c.schedule('run', null);
        return;
      }
      outcome = await enter(c);
    } catch (err) {
      outcome = recover(c, err);
    }
  }
}

function moveTo(c: Step, stateId: string): void {
  if (c.inst.step > 0) c.log(`Transitioning to next state: ${stateId} (${c.inst.step + 1}).`);
  // Timers of the state being left (timeouts, retries) are obsolete.
  if (c.inst.memory !== null) c.dropOlderWork = true;
  c.inst.step += 1;
  c.inst.flow = [...c.inst.flow, stateId];
  c.inst.memory = null;
}

async function enter(c: Step): Promise<Outcome> {
  c.entries++;
  const s = c.state;
  c.log(`Running state logic -- ${s.id}:${c.inst.step} (${s.type})`);
  if (s.log !== undefined) {
    const v = evaluateTemplate(s.log, c.inst.data, c.jqOptions);
    c.userLog(typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  }
  return logicOf(s).enter(c, s);
}

/**
 * A failed state: stop its children, then try its catch list (catchable errors only).
 * Anything that is not a WorkflowError is a bug or an infrastructure failure: database errors
 * abort the transaction (the work item is retried), others crash the instance.
 */
function recover(c: Step, err: unknown): Outcome {
  if (!(err instanceof WorkflowError)) {
    if (isDatabaseError(err)) throw err;
    c.deps.logger.error({ err, instance: c.inst.id }, 'instance crashed');
    terminate(c, 'crashed', { code: Codes.internal, msg: 'an internal error occurred' });
    return WAIT;
  }
  const state = c.inst.step > 0 ? c.state : undefined;
  if (state) logicOf(state).cancel?.(c, state, Codes.cancelsParent, `state failed with '${err.code}'`);
  // A jq error built from the action input could quote a secret.
  const msg = c.redact(err.message);
  c.log(`State failed with error '${err.code}': ${msg}`, 'error');
  if (!err.catchable || !state) {
    terminate(c, 'failed', { code: err.code, msg });
    return WAIT;
  }
  c.inst.data = { ...c.inst.data, error: { code: err.code, msg } };
  const i = state.catch.findIndex((k) => matchesCode(k.error, err.code));
  if (i < 0) {
    terminate(c, 'failed', { code: err.code, msg });
    return WAIT;
  }
  c.log(`Error caught by error definition ${i}: ${state.catch[i]!.error}`);
  return { kind: 'next', transition: state.catch[i]!.transition };
}

/** pg and PGlite errors carry a five-character SQLSTATE code. */
function isDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** No transition: the instance ends, failed if an `error` state recorded an error. */
function finish(c: Step): void {
  const rec = c.inst.recorded_error;
  if (rec) terminate(c, 'failed', rec, c.inst.data);
  else terminate(c, 'complete', undefined, c.inst.data);
}

export function terminate(c: Step, status: Exclude<InstanceStatus, 'pending'>, failure?: Failure, output?: Value): void {
  if (c.ended) return;
  if (status !== 'complete' && c.inst.step > 0 && c.inst.memory !== null) {
    const state = c.state;
    logicOf(state).cancel?.(c, state, Codes.cancelsParent, `instance ${status}`);
  }
  c.ended = true;
  c.inst.status = status;
  c.inst.memory = null;
  c.errorCode = failure?.code ?? null;
  c.errorMessage = failure?.msg ?? null;
  if (output !== undefined) c.output = output;
  if (status === 'complete') c.log('Workflow completed.');
  else c.log(`Workflow ${status} with error '${failure?.code}': ${failure?.msg}`, 'error');
  const by = c.inst.invoked_by;
  if (by.kind === 'subflow' && by.reply) {
    const result: Record<string, Value> =
      status === 'complete'
        ? { out: output ?? null }
        : status === 'crashed'
          ? { crash: `subflow ${c.inst.id} crashed` }
          : { err: { code: failure!.code, msg: failure!.msg } };
    c.scheduleFor(by.parent, 'wake', by.step, { type: 'result', branch: by.branch, actionId: by.actionId, ...result });
  }
}
