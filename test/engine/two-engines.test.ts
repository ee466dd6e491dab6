/**
 * Two engines on one PostgreSQL database, as two nodes would be: what one node commits, a
 * request waiting on the other learns without polling the instance.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, Engine } from '../../src/engine/index.js';
import { eventBus, noActionService, variableStore, workflowCatalog } from '../../src/server/adapters.js';
import { emptySecrets, startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

describe('two engines on one database', () => {
  let a: TestEngine;
  let b: Engine;
  beforeAll(async () => {
    a = await startTestEngine('postgres');
    // Node b takes no work (no workers started), it only answers a waiting request.
    b = new Engine({
      db: a.t.db,
      settings: { ...DEFAULT_SETTINGS, workers: 0 },
      workflows: workflowCatalog,
      variables: variableStore,
      actions: noActionService,
      secrets: emptySecrets,
      events: eventBus(() => b),
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('a waiter on one node is woken when the other node ends the instance', async () => {
    await a.deploy('nodes', `id: napper
states:
- id: nap
  type: delay
  duration: PT0.5S
  transition: done
- id: done
  type: noop
  transform: 'jq({slept: true})'
`);
    const { instanceId } = await a.engine.execute({
      namespace: 'nodes',
      workflow: 'napper',
      input: undefined,
      invokedBy: { kind: 'api' },
    });
    await b.start();
    const t0 = Date.now();
    const ended = await b.waitForEnd(instanceId, 10_000);
    expect(ended?.status).toBe('complete');
    expect(ended?.output).toEqual({ slept: true });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
