/**
 * Checks of the references inside a workflow: unique ids, transitions to states that exist,
 * actions calling functions that exist, and (a warning) states no path leads to.
 */
import { actionsOf, field, items, statesOf, text, transitionsOf, type StateEntry } from '../document.js';
import type { Problems } from '../problems.js';
import { formatPath } from '../yaml-source.js';

export function checkReferences(doc: unknown, problems: Problems): void {
  const states = statesOf(doc);
  const stateIds = uniqueIds(
    states.map((s) => ({ path: [...s.path, 'id'], id: s.id })),
    'state',
    problems,
  );
  const functionIds = uniqueIds(
    items(field(doc, 'functions')).map((f, i) => ({ path: ['functions', i, 'id'], id: text(field(f, 'id')) })),
    'function',
    problems,
  );

  const known = [...stateIds.keys()].join(', ');
  const startState = text(field(field(doc, 'start'), 'state'));
  if (startState !== undefined && !stateIds.has(startState)) {
    problems.error(['start', 'state'], `start state "${startState}" is not defined; states: ${known}`);
  }
  for (const state of states) {
    for (const t of transitionsOf(state)) {
      if (!stateIds.has(t.value)) problems.error(t.path, `transition to undefined state "${t.value}"; states: ${known}`);
    }
    for (const action of actionsOf(state)) {
      const name = text(field(action.value, 'function'));
      if (name === undefined || functionIds.has(name)) continue;
      const defined =
        functionIds.size === 0 ? 'the workflow defines no functions' : `defined functions: ${[...functionIds.keys()].join(', ')}`;
      problems.error([...action.path, 'function'], `undefined function "${name}"; ${defined}`);
    }
  }

  const first = states[0]?.id;
  const start = startState !== undefined && stateIds.has(startState) ? startState : first;
  if (start !== undefined) warnUnreachable(states, start, problems);
}

/** Ids in order of definition (first definition wins); duplicates are errors. */
function uniqueIds(
  entries: { path: (string | number)[]; id: string | undefined }[],
  what: string,
  problems: Problems,
): Map<string, (string | number)[]> {
  const ids = new Map<string, (string | number)[]>();
  for (const { path, id } of entries) {
    if (id === undefined) continue;
    const first = ids.get(id);
    if (first === undefined) ids.set(id, path);
    else problems.error(path, `duplicate ${what} id "${id}" (already used by ${formatPath(first.slice(0, -1))})`);
  }
  return ids;
}

function warnUnreachable(states: StateEntry[], start: string, problems: Problems): void {
  const byId = new Map<string, StateEntry>();
  for (const s of states) if (s.id !== undefined && !byId.has(s.id)) byId.set(s.id, s);
  const reached = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const state = byId.get(queue.pop()!);
    if (state === undefined) continue;
    for (const t of transitionsOf(state)) {
      if (!reached.has(t.value)) {
        reached.add(t.value);
        queue.push(t.value);
      }
    }
  }
  for (const s of states) {
    if (s.id !== undefined && !reached.has(s.id)) {
      problems.warning(s.path, `state "${s.id}" is unreachable: no transition from the start state "${start}" leads to it`);
    }
  }
}
