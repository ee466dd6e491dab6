/**
 * The worker pool: `workers` loops that each claim one work item, handle it and commit, in
 * one transaction. An idle loop sleeps until a nudge (a NOTIFY from any node, or new work
 * made in this process) or until the next timer is due; polling is only the safety net.
 */
import { isTransient } from '../db/index.js';
import type { Queryable } from '../db/index.js';
import type { EngineDeps } from './deps.js';
import { runWork } from './machine.js';
import { Step } from './step.js';
import { claimWork, nextDueIn, writeStep } from './store.js';
import type { InstanceRow, StepWrites, WorkRow } from './store.js';

export class WorkerPool {
  private running = false;
  private loops: Promise<void>[] = [];
  private wakeIdle: (() => void)[] = [];
  private nudges = 0;
  /** whether an idle worker is already watching the clock for the next timer */
  private polling = false;

  constructor(
    private readonly deps: EngineDeps,
    /** called after every commit with the step that was written */
    private readonly committed: (c: Step) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // workers = 0: a node that serves requests but runs no state logic.
    const n = Math.min(this.deps.settings.workers, this.deps.db.concurrency);
    for (let i = 0; i < n; i++) this.loops.push(this.loop());
  }

  /** Stops claiming; resolves once every transaction in progress has committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge(Infinity);
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Wakes up to `count` idle workers (new work is due). */
  nudge(count = 1): void {
    this.nudges += count;
    const woken = this.wakeIdle.splice(0, count === Infinity ? this.wakeIdle.length : count);
    for (const w of woken) w();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let worked = false;
      // Nudges that arrive while this worker looks for work must not be lost: it looks again.
      const seen = this.nudges;
      try {
        worked = await this.once();
      } catch (err) {
        // A deadlock victim's item is claimed again at once; other failures wait a little.
        if (isTransient(err)) continue;
        this.deps.logger.error({ err }, 'work item failed; it will be retried');
        await this.sleep(this.deps.settings.pollMs);
        continue;
      }
      // Work found: there may be more, so wake a colleague (graphile-worker's habit).
      if (worked) this.nudge(1);
      else if (this.running && this.nudges === seen) await this.idle(seen);
    }
  }

  /** Claims and handles one work item; false when nothing is due. */
  private async once(): Promise<boolean> {
    let claimed: WorkRow | undefined;
    try {
      const c = await this.deps.db.tx(async (q) => {
        const row = await claimWork(q);
        if (!row) return undefined;
        claimed = row;
        return handle(q, this.deps, row, row);
      });
      if (!c) return false;
      this.committed(c);
      return true;
    } catch (err) {
      // A work item that keeps failing must not spin: push it back a little.
      if (claimed && !isTransient(err)) await this.postpone(claimed.work_id).catch(() => undefined);
      throw err;
    }
  }

  private async postpone(workId: number) {
    await this.deps.db.query(`UPDATE work SET run_at = now() + interval '5 seconds' WHERE id = $1`, [workId]);
  }

  /**
   * One idle worker polls: it asks when the next timer is due and sleeps until then (at most
   * pollMs). The others sleep until nudged, with a long poll of their own as a safety net.
   */
  private async idle(seen: number): Promise<void> {
    const poll = this.deps.settings.pollMs;
    if (this.polling) {
      await this.sleep(poll * 10);
      return;
    }
    this.polling = true;
    try {
      const due = await nextDueIn(this.deps.db).catch(() => null);
      if (this.nudges !== seen || !this.running) return;
      const wait = Math.min(poll, due ?? Infinity);
      if (wait > 0) await this.sleep(wait);
    } finally {
      this.polling = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const i = this.wakeIdle.indexOf(done);
        if (i >= 0) this.wakeIdle.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeIdle.push(done);
    });
  }
}

/** Handles one work item for a locked instance and writes the result; returns the step. */
export async function handle(q: Queryable, deps: EngineDeps, inst: InstanceRow, work: WorkRow): Promise<Step> {
  const wf = await deps.workflows.load(q, inst.workflow_uid, inst.revision);
  const c = new Step(q, deps, inst, wf);
  await runWork(c, work);
  await write(q, c, work.work_id);
  return c;
}

export async function write(q: Queryable, c: Step, claimedWorkId?: number): Promise<void> {
  for (const task of c.beforeWrite.splice(0)) await task();
  if (c.userLines.length > 0) await emitLogEvents(c);
  if (!c.deps.settings.logsToDatabase) {
    for (const l of c.logs.splice(0)) c.deps.logger[l.level]({ instance: c.inst.id }, l.msg);
  }
  const writes: StepWrites = {
    inst: c.inst,
    output: c.output,
    ended: c.ended,
    errorCode: c.errorCode,
    errorMessage: c.errorMessage,
    logs: c.logs,
    work: c.work,
    claimedWorkId,
    dropOlderWork: c.dropOlderWork,
  };
  const { created } = c;
  c.created = undefined;
  if (created && c.holdIn && !c.waits) c.holdIn.hold(c, writes, created);
  else c.committedAt = await writeStep(q, writes, created);
}

/** `logToEvents`: each line the workflow logged becomes a `direktiv.instanceLog` event in its namespace. */
async function emitLogEvents(c: Step): Promise<void> {
  const logger = await c.deps.workflows.logToEvents(c.q, c.inst.workflow_uid);
  if (!logger) return;
  for (const line of c.userLines) {
    const r = await c.deps.events.emit(c.q, c.inst.namespace, {
      type: 'direktiv.instanceLog',
      source: c.inst.workflow,
      data: line,
      context: { logger, instance: c.inst.id, workflow: c.inst.workflow },
    });
    c.emitted(r);
  }
}
