/**
 * Which components this version runs. Kept apart from the server's wiring so that the command
 * line can refuse `-t i` alone without loading the whole server.
 */
import type { Component } from '../config/index.js';

/** Components that later versions bring; named in the startup log and in /api/healthz. */
export const NOT_YET: Partial<Record<Component, string>> = {
  i: 'the action service (i) is not available in this version yet: function actions fail with direktiv.function.unavailable',
};

/** The reason `-t` names nothing this version can run, or undefined when it names something it can. */
export function nothingToRun(components: Iterable<Component>): string | undefined {
  const list = [...components];
  if (list.some((c) => !NOT_YET[c])) return undefined;
  return list.map((c) => NOT_YET[c]!).join('; ');
}
