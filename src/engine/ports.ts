/**
 * What the engine needs from other modules, as narrow interfaces: the composition root
 * (src/server) adapts the real modules to them, and tests can see exactly what is used.
 */
import type { Queryable } from '../db/index.js';
import type { Value } from '../jq/index.js';
import type { ContainerFunction, FileDef, VariableScope, Workflow } from '../language/index.js';

export interface WorkflowRef {
  uid: string;
  namespace: string;
  name: string;
  revision: number;
  active: boolean;
}

export interface WorkflowCatalog {
  find(q: Queryable, namespace: string, name: string): Promise<WorkflowRef | undefined>;
  /** The validated model of one stored revision (revisions never change, so this may be cached). */
  load(q: Queryable, uid: string, revision: number): Promise<Workflow>;
  remove(q: Queryable, namespace: string, name: string): Promise<boolean>;
  /** The workflow's `logToEvents` setting: the `logger` of its log events, or null when off. */
  logToEvents(q: Queryable, uid: string): Promise<string | null>;
}

export interface VariableRef {
  namespace: string;
  scope: VariableScope;
  /** '' for namespace variables, the workflow uid, or the instance id */
  owner: string;
  key: string;
}

export interface VariableStore {
  get(q: Queryable, ref: VariableRef): Promise<{ data: Buffer; mimeType: string } | null>;
  set(q: Queryable, ref: VariableRef, data: Buffer, mimeType: string): Promise<void>;
  delete(q: Queryable, ref: VariableRef): Promise<void>;
}

/** One call of a container function, handed to the action service after the step commits. */
export interface ActionRequest {
  actionId: string;
  instanceId: string;
  namespace: string;
  workflow: string;
  step: number;
  branch: number;
  fn: ContainerFunction;
  input: Value;
  files: FileDef[];
  deadline: Date;
  /** true for `async: true` actions: nobody waits for the result */
  async: boolean;
  /** the values of the secrets in the input, which the action service keeps out of logs and errors */
  redact?: string[];
}

export interface ActionService {
  /** false until an action service is configured; calls then fail with a catchable error */
  readonly available: boolean;
  readonly unavailableReason?: string;
  dispatch(req: ActionRequest): Promise<void>;
  cancel(actionId: string): Promise<void>;
}

export interface SecretsProvider {
  /**
   * The plaintext of each named secret; throws WorkflowError(direktiv.secrets.notFound) for a
   * missing one. `q` is the step's transaction on the main database.
   */
  resolve(namespace: string, names: string[], q: Queryable): Promise<Record<string, string>>;
}

/** An event entry of a wait, its context patterns already evaluated against the instance data. */
export interface WaitEntry {
  type: string;
  context: Record<string, string>;
}

/** An event a waiting step received: the entry it matched and its payload. */
export interface ReceivedEvent {
  slot: number;
  type: string;
  data: Value;
}

export interface EmittedEvent {
  type: string;
  source: string;
  data: Value;
  datacontenttype?: string | undefined;
  context: Record<string, Value>;
}

/** The events component, used inside the step's transaction `q`. */
export interface EventBus {
  /** Begins the wait of the instance's current step; the matching event queues a `wake` with `{type: 'events', events}`. */
  wait(q: Queryable, w: { namespace: string; instanceId: string; step: number; mode: 'any' | 'all'; events: WaitEntry[] }): Promise<void>;
  /** Ends the wait of that step, if it still exists. */
  unwait(q: Queryable, instanceId: string, step: number): Promise<void>;
  /**
   * Stores an event in the namespace and delivers it; throws a catchable WorkflowError for an
   * event that is not valid. Returns the instances it started and woke, queued until the commit.
   */
  emit(q: Queryable, namespace: string, ev: EmittedEvent): Promise<{ id: string; started: string[]; woken: string[] }>;
}
