/**
 * action, parallel and foreach: states that call functions or subflows and wait for their
 * results. Each call is a "branch" kept in the instance's memory, so any node can take the
 * next result: one branch for `action`, one per action for `parallel`, one per item for
 * `foreach` (launched `concurrency` at a time).
 */
import type { Value } from '../../jq/index.js';
import { Codes, WorkflowError, evaluateTemplate, evaluateTemplateAll, matchesCode } from '../../language/index.js';
import type { Action, ActionState, ForeachState, ParallelState } from '../../language/index.js';
import { actionId } from '../ids.js';
import { startChild } from '../instances.js';
import { WAIT } from '../step.js';
import type { Outcome, Step } from '../step.js';
import type { StateLogic } from './logic.js';
import { next } from './logic.js';

type CallingState = ActionState | ParallelState | ForeachState;

interface Branch {
  s: 'pending' | 'running' | 'retry' | 'done' | 'failed' | 'cancelled';
  /** retries done so far */
  retried: number;
  /** the id results must carry: the function call's id or the child instance's id */
  aid?: string;
  child?: string;
  out?: Value;
  err?: { code: string; msg: string };
}

interface Memory {
  branches: Branch[];
  /** foreach: the item each branch's input is evaluated against */
  items?: Value[];
}

export type Result = { out: Value } | { err: { code: string; msg: string } } | { crash: string };

const actionOf = (s: CallingState, i: number): Action => (s.type === 'parallel' ? s.actions[i]! : s.action);
const memoryOf = (c: Step) => c.inst.memory as unknown as Memory;
const timeoutOf = (c: Step, s: CallingState) => s.timeoutMs ?? c.deps.settings.stateTimeoutMs;

function describe(c: Step, a: Action): string {
  if (a.workflow !== undefined) return `subflow '${a.workflow}'`;
  const fn = c.wf.functions.find((f) => f.id === a.function);
  return fn?.type === 'subflow' ? `subflow '${fn.workflow}'` : `function '${String(a.function)}'`;
}

/** Starts branch i; returns its result when it is known at once (the call could not be made). */
async function launch(c: Step, s: CallingState, mem: Memory, i: number, reply = true): Promise<Result | undefined> {
  const a = actionOf(s, i);
  const b = mem.branches[i]!;
  let base: Value = mem.items ? mem.items[i]! : c.inst.data;
  let redact: string[] | undefined;
  if (a.secrets.length > 0) {
    c.log('Decrypting secrets.');
    const secrets = await c.deps.secrets.resolve(c.inst.namespace, a.secrets, c.q);
    redact = Object.values(secrets).filter((v) => v !== '');
    for (const v of redact) c.secretValues.add(v);
    // Secrets exist only in this copy, used to build the input; they never enter stored data.
    base = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...base, secrets } : { secrets };
  }
  const input = a.input === undefined ? base : evaluateTemplate(a.input, base, c.jqOptions);
  const fn = a.function === undefined ? undefined : c.wf.functions.find((f) => f.id === a.function);
  const subflow = a.workflow ?? (fn?.type === 'subflow' ? fn.workflow : undefined);
  b.s = 'running';
  if (subflow !== undefined) {
    const child = await startChild(c, { workflow: subflow, input, branch: i, reply });
    b.aid = child.id;
    b.child = child.id;
    c.log(`Sleeping until ${describe(c, a)} (${child.id}) returns.`);
    return child.failed ? { err: child.failed } : undefined;
  }
  if (!fn || fn.type === 'subflow') throw new Error(`function ${String(a.function)} is not defined`);
  b.aid = actionId();
  if (!c.deps.actions.available) {
    return {
      err: {
        code: Codes.functionUnavailable,
        msg: `function '${fn.id}' cannot run: ${c.deps.actions.unavailableReason ?? 'no action service is available'}`,
      },
    };
  }
  const req = {
    actionId: b.aid,
    instanceId: c.inst.id,
    namespace: c.inst.namespace,
    workflow: c.inst.workflow,
    step: c.inst.step,
    branch: i,
    fn,
    input,
    files: [...fn.files, ...a.files],
    deadline: new Date(Date.now() + timeoutOf(c, s)),
    async: !reply,
    ...(redact ? { redact } : {}),
  };
  c.afterCommit.push(() => c.deps.actions.dispatch(req));
  c.log(`Sleeping until ${describe(c, a)} returns.`);
  return undefined;
}

/** Records a branch's result, or schedules its retry when the action's `retries` cover the code. */
function settle(c: Step, s: CallingState, mem: Memory, i: number, r: Result): void {
  const b = mem.branches[i]!;
  const a = actionOf(s, i);
  if ('crash' in r) throw new Error(r.crash);
  if ('out' in r) {
    b.s = 'done';
    b.out = r.out;
    c.log(`${cap(describe(c, a))} returned.`);
    return;
  }
  let err = r.err;
  const retries = a.retries;
  if (retries && retries.codes.some((g) => matchesCode(g, err.code))) {
    if (b.retried < retries.maxAttempts) {
      b.retried++;
      const wait = retries.delayMs * Math.pow(retries.multiplier, b.retried - 1);
      b.s = 'retry';
      c.log(
        `${cap(describe(c, a))} failed with '${err.code}': ${err.msg}. Scheduling retry ${b.retried} of ${retries.maxAttempts} in ${Math.round(wait)} ms.`,
        'error',
      );
      c.schedule('wake', { type: 'retry', branch: i, retried: b.retried }, wait);
      return;
    }
    err = { code: Codes.retriesExceeded, msg: `maximum retries exceeded (${retries.maxAttempts}); last error '${err.code}': ${err.msg}` };
  }
  b.s = 'failed';
  b.err = err;
  c.log(`${cap(describe(c, a))} failed with '${err.code}': ${err.msg}`, 'error');
}

const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** Decides whether the state is done, else launches what may run; repeats until neither. */
async function progress(c: Step, s: CallingState, mem: Memory): Promise<Outcome> {
  const limit = s.type === 'foreach' ? s.concurrency : Infinity;
  for (;;) {
    const verdict = decide(c, s, mem);
    if (verdict) return verdict;
    const bs = mem.branches;
    const active = bs.filter((b) => b.s === 'running' || b.s === 'retry').length;
    const i = bs.findIndex((b) => b.s === 'pending');
    if (i < 0 || active >= limit) return WAIT;
    const r = await launch(c, s, mem, i);
    if (r) settle(c, s, mem, i, r);
  }
}

/** The state's end when it is known: a result, or a thrown error; undefined while undecided. */
function decide(c: Step, s: CallingState, mem: Memory): Outcome | undefined {
  const bs = mem.branches;
  if (s.type === 'parallel' && s.mode === 'or') {
    if (bs.some((b) => b.s === 'done')) return finish(c, s, mem);
    if (bs.every((b) => b.s === 'failed')) {
      const codes = bs.map((b) => b.err!.code).join(', ');
      throw new WorkflowError(Codes.parallelAllFailed, `all ${bs.length} actions failed (${codes})`);
    }
    return undefined;
  }
  const failed = bs.find((b) => b.s === 'failed');
  if (failed) throw new WorkflowError(failed.err!.code, failed.err!.msg);
  if (bs.every((b) => b.s === 'done')) return finish(c, s, mem);
  return undefined;
}

function finish(c: Step, s: CallingState, mem: Memory): Outcome {
  stopBranches(c, mem, Codes.cancelsParent, 'the state no longer needs this result');
  const ret = s.type === 'action' ? mem.branches[0]!.out! : mem.branches.map((b) => (b.s === 'done' ? b.out! : null));
  c.inst.data = { ...c.inst.data, return: ret };
  return next(s);
}

function stopBranches(c: Step, mem: Memory, code: string, msg: string): void {
  for (const b of mem.branches) {
    if (b.s !== 'running' && b.s !== 'retry') {
      if (b.s === 'pending') b.s = 'cancelled';
      continue;
    }
    if (b.s === 'running' && b.child) c.scheduleFor(b.child, 'cancel', null, { code, msg });
    else if (b.s === 'running' && b.aid) {
      const id = b.aid;
      c.afterCommit.push(() => c.deps.actions.cancel(id));
    }
    b.s = 'cancelled';
  }
}

async function enter(c: Step, s: CallingState, count: number, items?: Value[]): Promise<Outcome> {
  const mem: Memory = { branches: Array.from({ length: count }, () => ({ s: 'pending', retried: 0 })) };
  if (items) mem.items = items;
  c.inst.memory = mem as unknown as Value;
  c.schedule('timeout', { scope: 'state' }, timeoutOf(c, s));
  return progress(c, s, mem);
}

async function wake(c: Step, s: CallingState, payload: Value): Promise<Outcome> {
  const mem = memoryOf(c);
  const p = payload as { type: string; branch: number; actionId?: string; retried?: number } & Partial<Result>;
  const b = mem.branches[p.branch];
  if (p.type === 'result') {
    // A stale or duplicate report (another call of this branch, or one already settled) is ignored.
    if (!b || b.s !== 'running' || b.aid !== p.actionId) return WAIT;
    settle(c, s, mem, p.branch, p as Result);
  } else if (p.type === 'retry') {
    if (!b || b.s !== 'retry' || b.retried !== p.retried) return WAIT;
    b.s = 'pending';
  }
  return progress(c, s, mem);
}

const cancel = (c: Step, _s: CallingState, code: string, msg: string) => {
  if (c.inst.memory) stopBranches(c, memoryOf(c), code, msg);
};

export const action: StateLogic<ActionState> = {
  async enter(c, s) {
    if (!s.async) return enter(c, s, 1);
    const mem: Memory = { branches: [{ s: 'pending', retried: 0 }] };
    const r = await launch(c, s, mem, 0, false);
    if (r && 'err' in r) throw new WorkflowError(r.err.code, r.err.msg);
    c.log('Action started asynchronously; not waiting for it.');
    return next(s);
  },
  wake,
  cancel,
};

export const parallel: StateLogic<ParallelState> = {
  enter: (c, s) => enter(c, s, s.actions.length),
  wake,
  cancel,
};

export const foreach: StateLogic<ForeachState> = {
  enter(c, s) {
    const items = evaluateTemplateAll(s.array, c.inst.data, c.jqOptions);
    if (items.length === 0) {
      c.inst.data = { ...c.inst.data, return: [] };
      return next(s);
    }
    return enter(c, s, items.length, items);
  },
  wake,
  cancel,
};
