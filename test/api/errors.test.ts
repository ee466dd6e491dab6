import { describe, expect, it } from 'vitest';
import { ApiError, CATALOGUE } from '../../src/api/index.js';
import { toErrorResponse } from '../../src/api/errors.js';
import { parseTimeout } from '../../src/api/duration.js';
import { EngineRequestError } from '../../src/engine/types.js';
import * as events from '../../src/events/index.js';
import * as namespaces from '../../src/namespaces/index.js';
import * as secrets from '../../src/secrets/index.js';
import * as variables from '../../src/variables/index.js';
import * as workflows from '../../src/workflows/index.js';

/**
 * Errors that are internal on purpose (a 500 whose detail goes only to the server log), or that
 * no route meets (the engine's secrets provider maps them), or whose status travels with them.
 */
const INTERNAL = new Set<unknown>([
  workflows.StoredRevisionInvalidError,
  secrets.MasterKeyError,
  secrets.DecryptError,
  secrets.UnknownMasterKeyError,
  secrets.SecretNotFoundError,
  secrets.InvalidSecretError,
]);

const errorClasses = (mod: Record<string, unknown>) =>
  Object.values(mod).filter((v): v is typeof Error => typeof v === 'function' && v.prototype instanceof Error);

describe('the error catalogue', () => {
  it('has every error class the data modules export, and nothing else', () => {
    const exported = [namespaces, variables, workflows, secrets, events].flatMap((m) => errorClasses(m as Record<string, unknown>));
    const catalogued = new Set(CATALOGUE.map(([cls]) => cls));
    for (const cls of exported) {
      if (!INTERNAL.has(cls)) expect(catalogued.has(cls), cls.name).toBe(true);
    }
    expect([...catalogued].every((cls) => exported.includes(cls as typeof Error))).toBe(true);
  });

  it('maps each error to its status and the common body', () => {
    const cases: [unknown, number][] = [
      [new namespaces.InvalidNameError('namespace', 'X'), 400],
      [new variables.InvalidKeyError('a b'), 400],
      [new workflows.WorkflowInvalidError([{ path: 'id', line: 1, column: 5, message: 'bad' }]), 400],
      [new namespaces.NamespaceNotFoundError('abc'), 404],
      [new workflows.WorkflowNotFoundError('abc', 'def'), 404],
      [new namespaces.NamespaceExistsError('abc'), 409],
      [new workflows.WorkflowExistsError('abc', 'def'), 409],
      [new workflows.RevisionConflictError(1, 2), 409],
      [new variables.VariableTooLargeError(10), 413],
      [new secrets.InvalidSecretError('bad name'), 400],
      [new secrets.InvalidSecretError('too big', 413), 413],
      [new secrets.SecretsUnavailableError('away'), 503],
      [new events.EventInvalidError('no id'), 400],
      [new events.EventNotFoundError('ns', 7), 404],
      [new EngineRequestError(409, 'disabled'), 409],
      [new ApiError(401, 'no'), 401],
      [new workflows.StoredRevisionInvalidError('u', 1, []), 500],
      [new Error('secret detail'), 500],
      ['a string', 500],
    ];
    for (const [err, status] of cases) {
      const r = toErrorResponse(err, 100);
      expect(r.status).toBe(status);
      expect(r.body.code).toBe(status);
      expect(Array.isArray(r.body.details)).toBe(true);
      if (status === 500) expect(r.body.message).toBe('internal server error');
    }
    expect(toErrorResponse(new workflows.WorkflowInvalidError([{ path: 'id', line: 1, column: 5, message: 'bad' }]), 1).body.details).toEqual([
      { path: 'id', line: 1, column: 5, message: 'bad' },
    ]);
  });
});

describe('wait timeouts', () => {
  it.each([
    ['30', 30_000],
    ['0.5', 500],
    ['PT30S', 30_000],
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['PT0.25S', 250],
  ])('reads %s', (text, ms) => expect(parseTimeout(text)).toBe(ms));
  it.each(['', 'P', 'PT', 'P1DT', '-5', 'soon', '5s', 'P1Y'])('refuses %j', (text) => expect(parseTimeout(text)).toBeUndefined());
});
