/**
 * From the YAML as written (already valid) to the model the engine runs (./model.ts): aliases
 * resolved, defaults filled in, durations in milliseconds, the start state named.
 */
import type { Value } from '../jq/index.js';
import { STATE_TYPE_ALIASES } from './document.js';
import { parseDuration } from './durations.js';
import type {
  Action,
  Catch,
  EventFilter,
  FileDef,
  FunctionDef,
  Start,
  State,
  Template,
  VariableScope,
  Workflow,
} from './model.js';

/** The YAML shapes the schema admits (schema/workflow.schema.json). */
interface RawWorkflow {
  id: string;
  name?: string;
  description?: string;
  version?: string;
  singular?: boolean;
  exclusive?: boolean;
  functions?: RawFunction[];
  start?: RawStart;
  states: RawState[];
  timeouts?: { interrupt?: string; kill?: string };
}

interface RawFunction {
  id: string;
  type?: 'reusable' | 'isolated' | 'subflow' | 'default';
  image?: string;
  cmd?: string;
  size?: 'small' | 'medium' | 'large';
  files?: RawFile[];
  workflow?: string;
}

interface RawFile {
  key: string;
  scope?: VariableScope;
  as?: string;
  type?: FileDef['type'];
}

interface RawEventFilter {
  type: string;
  context?: Record<string, Template>;
  filters?: Record<string, string>;
}

interface RawStart {
  type: Start['type'];
  state?: string;
  cron?: string;
  event?: RawEventFilter;
  events?: RawEventFilter[];
  lifespan?: string;
  correlate?: string[];
}

interface RawAction {
  function?: string;
  workflow?: string;
  input?: Value;
  secrets?: string[];
  retries?: { max_attempts?: number; maxAttempts?: number; delay?: string; multiplier?: number; codes: string[] };
  files?: RawFile[];
}

/** Every field of every state type; the schema allows each only where it belongs. */
interface RawState {
  id: string;
  type: string;
  log?: Value;
  transform?: Value;
  transition?: string;
  catch?: Catch[];
  action?: RawAction;
  actions?: RawAction[];
  async?: boolean;
  timeout?: string;
  conditions?: { condition: Value; transition?: string; transform?: Value }[];
  defaultTransition?: string;
  defaultTransform?: Value;
  array?: Value;
  concurrency?: number;
  mode?: 'and' | 'or';
  duration?: string;
  event?: RawEventFilter & { source?: string; data?: Value; datacontenttype?: string };
  events?: (RawEventFilter | { event: RawEventFilter; transform?: Value; transition?: string })[];
  variables?: { key: string; scope?: VariableScope; value?: Value; mimeType?: string }[];
  subject?: Value;
  schema?: Value;
  error?: string;
  message?: Value;
  args?: Value[];
}

const DEFAULT_RETRY_DELAY_MS = 5_000;
const DEFAULT_CONCURRENCY = 10;

/** The model of a workflow that passed every check. */
export function normalise(doc: unknown): Workflow {
  const raw = doc as RawWorkflow;
  const states = raw.states.map(state);
  return {
    id: raw.id,
    ...optional('name', raw.name),
    ...optional('description', raw.description),
    ...optional('version', raw.version),
    singular: raw.singular ?? raw.exclusive ?? false,
    functions: (raw.functions ?? []).map(functionDef),
    start: start(raw.start, states[0]!.id),
    states,
    timeouts: {
      ...optional('interruptMs', ms(raw.timeouts?.interrupt)),
      ...optional('killMs', ms(raw.timeouts?.kill)),
    },
  };
}

/** `{key: value}`, or nothing when the value is absent, so optional fields stay absent. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function ms(duration: string | undefined): number | undefined {
  return duration === undefined ? undefined : parseDuration(duration);
}

function functionDef(f: RawFunction): FunctionDef {
  if (f.type === 'subflow') return { id: f.id, type: 'subflow', workflow: f.workflow! };
  return {
    id: f.id,
    type: f.type === 'isolated' ? 'isolated' : 'reusable',
    image: f.image!,
    ...optional('cmd', f.cmd),
    size: f.size ?? 'small',
    files: (f.files ?? []).map(file),
  };
}

function file(f: RawFile): FileDef {
  return { key: f.key, scope: f.scope ?? 'instance', as: f.as ?? f.key, type: f.type ?? 'plain' };
}

function eventFilter(e: RawEventFilter): EventFilter {
  return { type: e.type, context: { ...(e.context ?? e.filters) } };
}

function start(s: RawStart | undefined, firstState: string): Start {
  const state = s?.state ?? firstState;
  switch (s?.type) {
    case undefined:
    case 'default':
      return { type: 'default', state };
    case 'scheduled':
      return { type: 'scheduled', state, cron: s.cron!.trim() };
    case 'event':
      return { type: 'event', state, event: eventFilter(s.event!) };
    case 'eventsXor':
      return { type: 'eventsXor', state, events: s.events!.map(eventFilter) };
    case 'eventsAnd':
      return {
        type: 'eventsAnd',
        state,
        events: s.events!.map(eventFilter),
        ...optional('lifespanMs', ms(s.lifespan)),
        correlate: s.correlate ?? [],
      };
  }
}

function action(a: RawAction): Action {
  const retries = a.retries;
  return {
    ...optional('function', a.function),
    ...optional('workflow', a.workflow),
    ...optional('input', a.input),
    secrets: a.secrets ?? [],
    ...optional(
      'retries',
      retries && {
        maxAttempts: (retries.max_attempts ?? retries.maxAttempts)!,
        delayMs: ms(retries.delay) ?? DEFAULT_RETRY_DELAY_MS,
        multiplier: retries.multiplier ?? 1,
        codes: retries.codes,
      },
    ),
    files: (a.files ?? []).map(file),
  };
}

function state(s: RawState): State {
  const base = {
    id: s.id,
    ...optional('log', s.log),
    ...optional('transform', s.transform),
    ...optional('transition', s.transition),
    catch: (s.catch ?? []).map((c) => ({ error: c.error, ...optional('transition', c.transition) })),
  };
  const timeout = optional('timeoutMs', ms(s.timeout));
  const type = STATE_TYPE_ALIASES[s.type] ?? s.type;
  switch (type) {
    case 'noop':
      return { ...base, type };
    case 'action':
      return { ...base, type, action: action(s.action!), async: s.async ?? false, ...timeout };
    case 'switch':
      return {
        ...base,
        type,
        conditions: s.conditions!.map((c) => ({
          condition: c.condition,
          ...optional('transition', c.transition),
          ...optional('transform', c.transform),
        })),
        ...optional('defaultTransition', s.defaultTransition),
        ...optional('defaultTransform', s.defaultTransform),
      };
    case 'foreach':
      return {
        ...base,
        type,
        array: s.array!,
        action: action(s.action!),
        concurrency: s.concurrency ?? DEFAULT_CONCURRENCY,
        ...timeout,
      };
    case 'parallel':
      return { ...base, type, actions: s.actions!.map(action), mode: s.mode ?? 'and', ...timeout };
    case 'delay':
      return { ...base, type, durationMs: parseDuration(s.duration!) };
    case 'consumeEvent':
      return { ...base, type, event: eventFilter(s.event!), ...timeout };
    case 'eventAnd':
      return {
        ...base,
        type,
        // v0.1 wrote each entry as {event: {type, context}}.
        events: s.events!.map((e) => eventFilter('event' in e ? e.event : e)),
        ...timeout,
      };
    case 'eventXor':
      return {
        ...base,
        type,
        events: s.events!.map((e) => {
          const branch = e as { event: RawEventFilter; transform?: Template; transition?: string };
          return {
            event: eventFilter(branch.event),
            ...optional('transform', branch.transform),
            ...optional('transition', branch.transition),
          };
        }),
        ...timeout,
      };
    case 'generateEvent': {
      const e = s.event!;
      return {
        ...base,
        type,
        event: {
          type: e.type,
          source: e.source!,
          ...optional('data', e.data),
          ...optional('datacontenttype', e.datacontenttype),
          context: { ...e.context },
        },
      };
    }
    case 'getter':
      return { ...base, type, variables: s.variables!.map((v) => ({ key: v.key, scope: v.scope ?? 'instance' })) };
    case 'setter':
      return {
        ...base,
        type,
        variables: s.variables!.map((v) => ({
          key: v.key,
          scope: v.scope ?? 'instance',
          value: v.value ?? null,
          ...optional('mimeType', v.mimeType),
        })),
      };
    case 'validate':
      return { ...base, type, ...optional('subject', s.subject), schema: s.schema! };
    case 'error':
      return { ...base, type, error: s.error!, message: s.message ?? null, args: s.args ?? [] };
    default:
      throw new Error(`unknown state type ${JSON.stringify(s.type)} in a validated workflow`);
  }
}
