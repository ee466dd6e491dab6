/**
 * One step in the making: the instance as it is being changed, and everything the step will
 * write when it commits (log lines, work items, the end of the instance) or do after the
 * commit (calls to the action service).
 */
import type { Queryable } from '../db/index.js';
import type { Value } from '../jq/index.js';
import type { State, Workflow } from '../language/index.js';
import type { EngineDeps } from './deps.js';
import type { HeldStarts } from './held-starts.js';
import type { InstanceRow, LogLine, NewInstance, NewWork, WorkKind } from './store.js';

export class Step {
  readonly logs: LogLine[] = [];
  readonly work: NewWork[] = [];
  readonly afterCommit: (() => Promise<void>)[] = [];
  ended = false;
  output: Value | undefined;
  errorCode: string | null = null;
  errorMessage: string | null = null;
  dropOlderWork = false;
  /** state entries run in this transaction */
  entries = 0;
  /** the transaction's timestamp, known once the step is written */
  committedAt?: Date;
  /** subflow instances created by this step, and instances started by its events */
  childrenStarted = 0;
  /** work queued for other instances outside `work` (by events this step emitted): workers to wake */
  queuedElsewhere = 0;
  /** waiting instances woken by events this step emitted */
  woken = 0;
  /** changes to write in the step's transaction before the instance row (such as ending a wait) */
  readonly beforeWrite: (() => Promise<void>)[] = [];
  /** set while the instance is not stored yet: its first step's write inserts it */
  created?: NewInstance;
  /** where that write may be held back, to be written with other starts of the transaction */
  holdIn?: HeldStarts;
  /** the step began a wait for events */
  waits = false;
  /** the lines of this step that came from the workflow (`log` fields), which may also become events */
  readonly userLines: string[] = [];

  constructor(
    readonly q: Queryable,
    readonly deps: EngineDeps,
    readonly inst: InstanceRow,
    readonly wf: Workflow,
  ) {}

  get state(): State {
    const id = this.inst.flow[this.inst.step - 1];
    const s = this.wf.states.find((st) => st.id === id);
    if (!s) throw new Error(`instance ${this.inst.id}: state ${String(id)} not in revision ${this.inst.revision}`);
    return s;
  }

  /** Secret values resolved in this step: no log line or error message may contain them. */
  readonly secretValues = new Set<string>();

  log(msg: string, level: LogLine['level'] = 'info'): void {
    this.logs.push({ level, msg: this.redact(msg) });
  }

  /** Counts what an event this step emitted started and woke, for the workers and metrics after the commit. */
  emitted(r: { started: string[]; woken: string[] }): void {
    this.childrenStarted += r.started.length;
    this.woken += r.woken.length;
    this.queuedElsewhere += r.started.length + r.woken.length;
  }

  /** A line the workflow itself logs: with `logToEvents` it is also emitted as an event. */
  userLog(msg: string): void {
    this.log(msg);
    this.userLines.push(this.logs[this.logs.length - 1]!.msg);
  }

  redact(text: string): string {
    for (const v of this.secretValues) if (v !== '') text = text.split(v).join('[redacted]');
    return text;
  }

  /** A wake-up of this instance at its current step, `inMs` from now. */
  schedule(kind: WorkKind, payload: Value | null, inMs = 0): void {
    this.work.push({ instanceId: this.inst.id, kind, step: this.inst.step, payload, inMs });
  }

  /** A work item for any instance (a parent, a child, or this one at no particular step). */
  scheduleFor(instanceId: string, kind: WorkKind, step: number | null, payload: Value | null, inMs = 0): void {
    this.work.push({ instanceId, kind, step, payload, inMs });
  }

  /** Options for every jq evaluation of this instance (the time limit from the config). */
  get jqOptions() {
    return { limits: { timeoutMs: this.deps.settings.jqTimeoutMs } };
  }
}

export type Outcome =
  | { kind: 'wait' }
  | { kind: 'next'; transform?: Value; transition?: string };

export const WAIT: Outcome = { kind: 'wait' };
