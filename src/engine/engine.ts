/**
 * The engine: the worker pool plus the operations the API needs (EngineApi). Created by the
 * composition root with its dependencies; start() begins taking work, stop() drains.
 */
import type { Queryable } from '../db/index.js';
import type { JsonObject, Value } from '../jq/index.js';
import { instancesEnded, instancesStarted, instancesWoken, stateTransitions } from '../metrics/index.js';
import type { EngineApi, ExecuteRequest, InstanceFilter } from './api.js';
import type { EngineDeps } from './deps.js';
import type { ReceivedEvent, WorkflowRef } from './ports.js';
import type { Workflow } from '../language/index.js';
import { instanceId } from './ids.js';
import { normaliseInput } from './input.js';
import { HeldStarts } from './held-starts.js';
import { createInstance, newInstance } from './instances.js';
import { begin, runWork, terminate } from './machine.js';
import { getInstance, listInstances } from './queries.js';
import { Retention } from './retention.js';
import { Step } from './step.js';
import { appendLogLines, enqueueStart, enqueueWake, lockInstance, lockInstanceIfFree, lockPendingOfWorkflow, watchInstance } from './store.js';
import type { InstanceRow } from './store.js';
import { EngineRequestError } from './types.js';
import type { InvokedBy } from './types.js';
import type { InstanceDetail } from './types.js';
import { RecentlyEnded, detailOf } from './recent.js';
import { Waiters } from './waiters.js';
import { WorkerPool, write } from './worker.js';

/** Starting an instance for an event or a cron tick (see `StartRequest` of the events module). */
export interface StartRequest {
  namespace: string;
  workflow: string;
  /** the revision, when the caller holds the workflow row share-locked (no lookup needed) */
  locked?: { uid: string; revision: number };
  input: JsonObject;
  invokedBy: InvokedBy;
}

/** An instance created with its first states run: `step` is absent when `singular` refused it. */
interface Begun {
  id: string;
  step?: Step;
  input?: JsonObject;
}

export class Engine implements EngineApi {
  private readonly pool: WorkerPool;
  private readonly waiters: Waiters;
  private readonly retention: Retention;
  private readonly recent = new RecentlyEnded();
  private unlisten: (() => Promise<void>)[] = [];
  private started = false;

  constructor(readonly deps: EngineDeps) {
    this.pool = new WorkerPool(deps, (c) => this.committed(c));
    this.waiters = new Waiters(
      (id) => getInstance(deps.db, id),
      (id) => watchInstance(deps.db, id),
    );
    this.retention = new Retention(deps);
  }

  /** Listens for instances ended on other nodes, then starts the workers. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { db } = this.deps;
    this.unlisten.push(
      await db.listen('direktiv_ended', (id) => this.waiters.ended(id), () => this.waiters.recheckAll()),
    );
    this.pool.start();
    this.retention.start();
  }

  /** Drains: no new work is claimed, and running state logic finishes and commits. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.retention.stop();
    await this.pool.stop();
    for (const u of this.unlisten.splice(0)) await u().catch(() => undefined);
    this.waiters.close();
  }

  /** Answers every `waitForEnd` in progress with null, so callers can respond before a shutdown. */
  releaseWaiters(): void {
    this.waiters.close();
  }

  async execute(req: ExecuteRequest): Promise<{ instanceId: string }> {
    const { db, workflows } = this.deps;
    const c = await db.tx(async (q) => {
      const ref = await workflows.find(q, req.namespace, req.workflow);
      if (!ref) throw new EngineRequestError(404, `workflow '${req.workflow}' not found in namespace '${req.namespace}'`);
      if (!ref.active) throw new EngineRequestError(409, `workflow '${req.workflow}' is disabled`);
      const wf = await workflows.load(q, ref.uid, ref.revision);
      if (wf.start.type === 'scheduled' && req.invokedBy.kind !== 'cron') {
        throw new EngineRequestError(409, `workflow '${req.workflow}' has a scheduled start and cannot be invoked directly`);
      }
      return this.createAndBegin(q, ref, wf, normaliseInput(req.input), req.invokedBy);
    });
    this.begun(req.namespace, c);
    return { instanceId: c.id };
  }

  /**
   * Creates an instance and runs its first states in the caller's transaction, as `execute` does
   * (events received through the API). Undefined when the workflow does not exist or is
   * disabled; otherwise call `committed()` once the transaction has committed. With `held`,
   * the instance may be written only by `held.flush`, which must run before the commit.
   */
  async startNow(q: Queryable, req: StartRequest, held?: HeldStarts): Promise<{ id: string; committed: () => void } | undefined> {
    const ref = await this.startable(q, req);
    if (!ref) return undefined;
    const wf = await this.deps.workflows.load(q, ref.uid, ref.revision);
    const c = await this.createAndBegin(q, ref, wf, req.input, req.invokedBy, held);
    return { id: c.id, committed: () => this.begun(req.namespace, c) };
  }

  /** The revision a start request runs: the one the caller holds locked, else the enabled current one. */
  private async startable(q: Queryable, req: StartRequest): Promise<WorkflowRef | undefined> {
    if (req.locked) return { ...req.locked, namespace: req.namespace, name: req.workflow, active: true };
    const ref = await this.deps.workflows.find(q, req.namespace, req.workflow);
    return ref?.active ? ref : undefined;
  }

  /** A new instance whose first states run in this transaction (unless `singular` refused it). */
  /** A place to hold back the first-step writes of instances `startNow` starts in one transaction. */
  holdStarts(): HeldStarts {
    return new HeldStarts();
  }

  private async createAndBegin(
    q: Queryable,
    ref: WorkflowRef,
    wf: Workflow,
    input: JsonObject,
    invokedBy: InvokedBy,
    held?: HeldStarts,
  ): Promise<Begun> {
    const id = instanceId(ref.namespace, ref.name);
    let step: Step;
    if (wf.singular) {
      // The mutex is the insert itself, before anything of the instance runs.
      const created = await createInstance(q, id, ref, wf, input, invokedBy, 0);
      if (created.failed) return { id };
      step = new Step(q, this.deps, created.inst, wf);
    } else {
      const { n, inst } = newInstance(id, ref, wf, input, invokedBy, 0);
      step = new Step(q, this.deps, inst, wf);
      step.created = n;
      step.holdIn = held;
    }
    await begin(step);
    await write(q, step);
    // `input` as given: the first states replace the instance's data, not this object.
    return { id, step, input };
  }

  /** After the commit of `createAndBegin`: metrics, the state's calls, waiters. */
  private begun(namespace: string, c: Begun): void {
    instancesStarted.inc({ namespace });
    if (c.step?.ended) this.recent.remember(detailOf(c.step, c.input!));
    if (c.step) this.committed(c.step);
    else {
      instancesEnded.inc({ namespace, status: 'failed' });
      this.waiters.ended(c.id);
    }
  }

  /**
   * Creates an instance in the caller's transaction, queued for a worker (event and cron starts,
   * where one transaction may start many). Undefined when the workflow does not exist or is
   * disabled. After the commit, call `queuedStarted(n)` so the workers pick them up at once.
   */
  async startQueued(q: Queryable, req: StartRequest): Promise<string | undefined> {
    const ref = await this.startable(q, req);
    if (!ref) return undefined;
    const wf = await this.deps.workflows.load(q, ref.uid, ref.revision);
    const created = await createInstance(q, instanceId(ref.namespace, ref.name), ref, wf, req.input, req.invokedBy, 0);
    if (!created.failed) await enqueueStart(q, created.inst.id);
    return created.inst.id;
  }

  /** Queues the wake-up of a waiting step with the events that ended its wait (in the event's transaction). */
  async wakeQueued(q: Queryable, instanceId: string, step: number, events: ReceivedEvent[]): Promise<void> {
    await enqueueWake(q, instanceId, step, { type: 'events', events } as unknown as Value);
  }

  /** After the commit of `startQueued` and `wakeQueued` calls: metrics, and the workers woken. */
  queuedStarted(namespace: string, started: number, woken = 0): void {
    if (started > 0) instancesStarted.inc({ namespace }, started);
    if (woken > 0) instancesWoken.inc({ namespace }, woken);
    if (started + woken > 0) this.pool.nudge(started + woken);
  }

  waitForEnd(id: string, timeoutMs: number): Promise<InstanceDetail | null> {
    // An instance that ended in execute's own transaction needs no second read.
    const known = this.recent.take(id);
    return known ? Promise.resolve(known) : this.waiters.wait(id, timeoutMs);
  }

  /** Marks an instance as followed (live logs): its commits then notify every node. */
  async watch(id: string): Promise<void> {
    await watchInstance(this.deps.db, id);
  }

  async cancel(id: string, code = 'direktiv.cancels.api', message = 'cancelled by API request'): Promise<boolean> {
    const c = await this.deps.db.tx(async (q) => {
      const inst = await lockInstance(q, id);
      if (!inst || inst.status !== 'pending') return undefined;
      return this.cancelLocked(q, inst, code, message);
    });
    if (!c) return false;
    this.committed(c);
    return true;
  }

  /**
   * A function's result, reported by the action service; stale reports are dropped by the
   * machine. The result is taken in the reporter's transaction when the instance is free (one
   * commit per action state, no queue round trip); when a step of it is running, or taking it
   * fails, it is queued for a worker like any wake-up.
   */
  async reportActionResult(r: {
    instanceId: string;
    step: number;
    branch: number;
    actionId: string;
    result: { out: Value } | { err: { code: string; msg: string } } | { crash: string };
  }): Promise<void> {
    const payload = { type: 'result', branch: r.branch, actionId: r.actionId, ...r.result };
    let step: Step | undefined;
    try {
      step = await this.deps.db.tx(async (q) => {
        const inst = await lockInstanceIfFree(q, r.instanceId);
        if (!inst) {
          await enqueueWake(q, r.instanceId, r.step, payload);
          return undefined;
        }
        const c = new Step(q, this.deps, inst, await this.deps.workflows.load(q, inst.workflow_uid, inst.revision));
        await runWork(c, { work_id: 0, kind: 'wake', work_step: r.step, payload });
        await write(q, c);
        return c;
      });
    } catch (err) {
      // A worker takes it again and handles what failed as it handles any step.
      this.deps.logger.warn({ err, instance: r.instanceId }, 'taking an action result failed; queued for a worker');
      await enqueueWake(this.deps.db, r.instanceId, r.step, payload);
    }
    if (step) this.committed(step);
    else this.pool.nudge();
  }

  /** Lines a function wrote for an instance's log (through the action service), one entry per line. */
  async appendLog(namespace: string, instanceId: string, level: 'info' | 'error', text: string): Promise<void> {
    const lines = text.split('\n');
    if (!this.deps.settings.logsToDatabase) {
      for (const l of lines) this.deps.logger[level]({ instance: instanceId }, l);
      return;
    }
    await appendLogLines(this.deps.db, namespace, instanceId, level, lines);
  }

  getInstance(id: string): Promise<InstanceDetail | null> {
    return getInstance(this.deps.db, id);
  }

  listInstances(filter: InstanceFilter) {
    return listInstances(this.deps.db, filter);
  }

  async deleteWorkflow(namespace: string, workflow: string): Promise<boolean> {
    const steps: Step[] = [];
    const found = await this.deps.db.tx(async (q) => {
      const ref = await this.deps.workflows.find(q, namespace, workflow);
      if (!ref) return false;
      for (const inst of await lockPendingOfWorkflow(q, ref.uid)) {
        steps.push(await this.cancelLocked(q, inst, 'direktiv.cancels.api', `workflow '${workflow}' was deleted`));
      }
      await q.query(
        `WITH gone AS (DELETE FROM instances WHERE workflow_uid = $1 RETURNING id),
              l AS (DELETE FROM logs WHERE instance_id IN (SELECT id FROM gone))
         DELETE FROM variables WHERE scope = 'instance' AND owner IN (SELECT id FROM gone)`,
        [ref.uid],
      );
      return this.deps.workflows.remove(q, namespace, workflow);
    });
    for (const s of steps) this.committed(s);
    return found;
  }

  async deleteNamespace(namespace: string): Promise<boolean> {
    // Foreign keys cascade to workflows, revisions, instances, their work, logs and variables.
    const r = await this.deps.db.query('DELETE FROM namespaces WHERE name = $1', [namespace]);
    return r.rowCount > 0;
  }

  /** Cancels a locked pending instance (its children too) and writes the step. */
  private async cancelLocked(q: Queryable, inst: InstanceRow, code: string, msg: string): Promise<Step> {
    const step = new Step(q, this.deps, inst, await this.deps.workflows.load(q, inst.workflow_uid, inst.revision));
    terminate(step, 'cancelled', { code, msg });
    await write(q, step);
    return step;
  }

  /** After a commit: hand calls to the action service, wake workers and waiters. */
  private committed(c: Step): void {
    for (const fn of c.afterCommit) {
      fn().catch((err: unknown) => this.deps.logger.error({ err, instance: c.inst.id }, 'action service call failed'));
    }
    stateTransitions.inc(c.entries);
    if (c.childrenStarted > 0) instancesStarted.inc({ namespace: c.inst.namespace }, c.childrenStarted);
    if (c.woken > 0) instancesWoken.inc({ namespace: c.inst.namespace }, c.woken);
    if (c.ended) instancesEnded.inc({ namespace: c.inst.namespace, status: c.inst.status });
    const due = c.work.filter((w) => w.inMs <= 0).length + c.queuedElsewhere;
    if (due > 0) this.pool.nudge(due);
    if (c.ended) this.waiters.ended(c.inst.id);
  }
}
