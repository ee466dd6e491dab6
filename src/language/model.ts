/**
 * The validated, normalised form of a workflow: what the engine runs.
 *
 * The validator turns YAML into this shape after every check has passed. Aliases are resolved
 * (`eventsAnd` state → `eventAnd`, `max_attempts`/`maxAttempts` → `maxAttempts`,
 * `exclusive` → `singular`, start `filters` → `context`), defaults are filled in, and durations are parsed to
 * milliseconds. A "template" is any YAML value in a jq-capable field, kept as written; the
 * engine evaluates it with `evaluateTemplate` (./template.ts).
 */
import type { Value } from '../jq/index.js';

/** A jq-capable field as written in YAML: `jq(...)` strings are found and compiled at validation. */
export type Template = Value;

export interface Workflow {
  id: string;
  name?: string;
  description?: string;
  version?: string;
  singular: boolean;
  functions: FunctionDef[];
  start: Start;
  states: State[];
  timeouts: { interruptMs?: number; killMs?: number };
}

export type FunctionDef = ContainerFunction | SubflowFunction;

export interface ContainerFunction {
  id: string;
  type: 'reusable' | 'isolated';
  image: string;
  cmd?: string;
  size: 'small' | 'medium' | 'large';
  files: FileDef[];
}

export interface SubflowFunction {
  id: string;
  type: 'subflow';
  workflow: string;
}

export interface FileDef {
  key: string;
  scope: VariableScope;
  as: string;
  type: 'plain' | 'base64' | 'tar' | 'tar.gz';
}

export type VariableScope = 'instance' | 'workflow' | 'namespace';

export interface EventFilter {
  type: string;
  /** attribute → glob pattern, or a template evaluated when an instance starts to wait */
  context: Record<string, Template>;
}

export type Start =
  | { type: 'default'; state: string }
  | { type: 'scheduled'; state: string; cron: string }
  | { type: 'event'; state: string; event: EventFilter }
  | { type: 'eventsXor'; state: string; events: EventFilter[] }
  | { type: 'eventsAnd'; state: string; events: EventFilter[]; lifespanMs?: number; correlate: string[] };

export interface Catch {
  /** glob over the error code */
  error: string;
  transition?: string;
}

export interface Retries {
  maxAttempts: number;
  delayMs: number;
  multiplier: number;
  codes: string[];
}

export interface Action {
  /** exactly one of function / workflow */
  function?: string;
  workflow?: string;
  /** absent: the whole state data */
  input?: Template;
  secrets: string[];
  retries?: Retries;
  files: FileDef[];
}

interface StateBase {
  id: string;
  log?: Template;
  transform?: Template;
  transition?: string;
  catch: Catch[];
}

export interface NoopState extends StateBase { type: 'noop' }
export interface ActionState extends StateBase { type: 'action'; action: Action; async: boolean; timeoutMs?: number }
export interface SwitchCondition { condition: Template; transition?: string; transform?: Template }
export interface SwitchState extends StateBase {
  type: 'switch';
  conditions: SwitchCondition[];
  defaultTransition?: string;
  defaultTransform?: Template;
}
export interface ForeachState extends StateBase {
  type: 'foreach';
  array: Template;
  action: Action;
  timeoutMs?: number;
  concurrency: number;
}
export interface ParallelState extends StateBase {
  type: 'parallel';
  actions: Action[];
  mode: 'and' | 'or';
  timeoutMs?: number;
}
export interface DelayState extends StateBase { type: 'delay'; durationMs: number }
export interface ConsumeEventState extends StateBase { type: 'consumeEvent'; event: EventFilter; timeoutMs?: number }
export interface EventAndState extends StateBase { type: 'eventAnd'; events: EventFilter[]; timeoutMs?: number }
export interface EventXorBranch { event: EventFilter; transform?: Template; transition?: string }
export interface EventXorState extends StateBase { type: 'eventXor'; events: EventXorBranch[]; timeoutMs?: number }
export interface GenerateEventState extends StateBase {
  type: 'generateEvent';
  event: {
    type: string;
    source: string;
    /** absent: the whole state data */
    data?: Template;
    datacontenttype?: string;
    context: Record<string, Template>;
  };
}
export interface GetterState extends StateBase {
  type: 'getter';
  variables: { key: string; scope: VariableScope }[];
}
export interface SetterState extends StateBase {
  type: 'setter';
  variables: { key: string; scope: VariableScope; value: Template; mimeType?: string }[];
}
export interface ValidateState extends StateBase {
  type: 'validate';
  /** absent: the whole state data */
  subject?: Template;
  schema: Value;
}
export interface ErrorState extends StateBase {
  type: 'error';
  error: string;
  message: Template;
  args: Template[];
}

export type State =
  | NoopState
  | ActionState
  | SwitchState
  | ForeachState
  | ParallelState
  | DelayState
  | ConsumeEventState
  | EventAndState
  | EventXorState
  | GenerateEventState
  | GetterState
  | SetterState
  | ValidateState
  | ErrorState;

export type StateType = State['type'];

/** One problem found by the validator. Line and column are 1-based; absent when unknown. */
export interface Problem {
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A warning does not stop a workflow from being stored (for instance an unreachable state). */
export interface ValidationResult {
  workflow?: Workflow;
  errors: Problem[];
  warnings: Problem[];
}
