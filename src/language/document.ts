/**
 * Reading a parsed workflow that may not match the schema. The checks of ./checks run even when
 * the schema found errors, so that every problem is listed at once; these accessors skip whatever
 * has the wrong shape (the schema reports that) instead of failing on it.
 *
 * The tables of which state fields are transitions, actions and jq templates live here, in one
 * place, for the checks to share.
 */
import type { Path } from './yaml-source.js';

export type Fields = Record<string, unknown>;

export function isFields(v: unknown): v is Fields {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function field(v: unknown, key: string): unknown {
  return isFields(v) && Object.hasOwn(v, key) ? v[key] : undefined;
}

export function items(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Old spellings of state types. */
export const STATE_TYPE_ALIASES: Readonly<Record<string, string>> = { eventsAnd: 'eventAnd', eventsXor: 'eventXor' };

export interface Located<T = unknown> {
  path: Path;
  value: T;
}

export interface StateEntry {
  path: Path;
  value: unknown;
  id?: string;
  /** with aliases resolved */
  type?: string;
}

export function statesOf(doc: unknown): StateEntry[] {
  return items(field(doc, 'states')).map((value, i) => {
    const type = text(field(value, 'type'));
    return { path: ['states', i], value, id: text(field(value, 'id')), type: type && (STATE_TYPE_ALIASES[type] ?? type) };
  });
}

/** Each list element with its path. */
function each(parent: Located, key: string): Located[] {
  return items(field(parent.value, key)).map((value, i) => ({ path: [...parent.path, key, i], value }));
}

function at(parent: Located, ...keys: string[]): Located {
  let value = parent.value;
  for (const k of keys) value = field(value, k);
  return { path: [...parent.path, ...keys], value };
}

function strings(list: Located[]): Located<string>[] {
  return list.flatMap((l) => (typeof l.value === 'string' ? [{ path: l.path, value: l.value }] : []));
}

/** Every state a state may move to: its transition, catch transitions and branch transitions. */
export function transitionsOf(state: StateEntry): Located<string>[] {
  const found = [at(state, 'transition'), ...each(state, 'catch').map((c) => at(c, 'transition'))];
  if (state.type === 'switch') {
    found.push(...each(state, 'conditions').map((c) => at(c, 'transition')), at(state, 'defaultTransition'));
  }
  if (state.type === 'eventXor') found.push(...each(state, 'events').map((e) => at(e, 'transition')));
  return strings(found);
}

/** The action maps of a state (action, foreach: `action`; parallel: each of `actions`). */
export function actionsOf(state: StateEntry): Located[] {
  if (state.type === 'action' || state.type === 'foreach') return [at(state, 'action')].filter((a) => isFields(a.value));
  if (state.type === 'parallel') return each(state, 'actions');
  return [];
}

/**
 * How a template's value will be used, for checks of its form: `object` must yield a map
 * (transform), `items` gives foreach items, `condition` is tested for truth.
 */
export type TemplateUse = 'object' | 'items' | 'condition' | 'value';

export interface TemplateField extends Located {
  use: TemplateUse;
}

/** Every jq-capable field of a state that is present. */
export function templatesOf(state: StateEntry): TemplateField[] {
  const found: TemplateField[] = [];
  const add = (l: Located, use: TemplateUse = 'value'): void => {
    if (l.value !== undefined) found.push({ ...l, use });
  };
  const addContext = (event: Located): void => {
    const context = field(event.value, 'context');
    if (isFields(context)) for (const key of Object.keys(context)) add(at(event, 'context', key));
  };

  add(at(state, 'log'));
  add(at(state, 'transform'), 'object');
  for (const action of actionsOf(state)) add(at(action, 'input'));
  switch (state.type) {
    case 'switch':
      for (const c of each(state, 'conditions')) {
        add(at(c, 'condition'), 'condition');
        add(at(c, 'transform'), 'object');
      }
      add(at(state, 'defaultTransform'), 'object');
      break;
    case 'foreach':
      add(at(state, 'array'), 'items');
      break;
    case 'consumeEvent':
      addContext(at(state, 'event'));
      break;
    case 'eventAnd':
      for (const e of each(state, 'events')) addContext(field(e.value, 'event') === undefined ? e : at(e, 'event'));
      break;
    case 'eventXor':
      for (const e of each(state, 'events')) {
        addContext(at(e, 'event'));
        add(at(e, 'transform'), 'object');
      }
      break;
    case 'generateEvent':
      add(at(state, 'event', 'data'));
      addContext(at(state, 'event'));
      break;
    case 'setter':
      for (const v of each(state, 'variables')) add(at(v, 'value'));
      break;
    case 'validate':
      add(at(state, 'subject'));
      break;
    case 'error':
      add(at(state, 'message'));
      for (const a of each(state, 'args')) add(a);
      break;
  }
  return found;
}

/** The event filters of the start definition (`event`, or each of `events`). */
export function startEventsOf(doc: unknown): Located[] {
  const start: Located = { path: ['start'], value: field(doc, 'start') };
  const event = at(start, 'event');
  return [...(isFields(event.value) ? [event] : []), ...each(start, 'events')];
}
