/**
 * Workflows that name secrets, through the engine's secrets provider over the real secrets
 * module (local backend on its own database, and an unreachable HTTP backend).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secrets, generateMasterKey, httpBackend, localBackend } from '../../src/secrets/index.js';
import { noSecretsService, secretsProvider } from '../../src/server/adapters.js';
import { BACKENDS } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { withEngine } from '../engine/helpers.js';
import { createSecretsTestDb } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

describe.each(BACKENDS)('secrets in workflows on %s', (backend) => {
  let e: TestEngine;
  let sec: TestDb;
  let secrets: Secrets;
  beforeAll(async () => {
    e = await startTestEngine(backend);
    sec = await createSecretsTestDb(backend);
    const keyring = { current: generateMasterKey(), previous: [] };
    secrets = new Secrets({ mainDb: e.t.db, backend: localBackend(sec.db), keyring });
    await e.deploy('vault', `id: echo
states:
- id: a
  type: noop
`);
    await e.deploy('vault', `id: caller
states:
- id: call
  type: action
  log: 'calling with jq(keys)'
  action:
    workflow: echo
    secrets: [password]
    input:
      auth: 'basic jq(.secrets.password)'
  transform: 'jq({got: .return.auth, keys: keys})'
`);
    await e.deploy('vault', `id: missing
states:
- id: call
  type: action
  action:
    workflow: echo
    secrets: [nope]
  catch:
  - error: '*'
    transition: caught
- id: caught
  type: noop
`);
    await secrets.set('vault', 'secret', 'password', PASSWORD);
  });
  afterAll(async () => {
    await e.stop();
    await sec.drop();
  });

  it('an action gets the decrypted value in its input; the caller keeps no trace of it', async () => {
    await withEngine(e, { secrets: secretsProvider(secrets) }, async (engine) => {
      const { instanceId } = await engine.execute({ namespace: 'vault', workflow: 'caller', input: undefined, invokedBy: { kind: 'api' } });
      const done = (await engine.waitForEnd(instanceId, 10_000))!;
      expect(done.status).toBe('complete');
      expect(done.output).toEqual({ got: `basic ${PASSWORD}`, keys: ['return'] });
      const lines = (await e.logLines(instanceId)).join('\n');
      expect(lines).not.toContain(PASSWORD);
    });
  });

  it('a missing secret fails the state uncatchably, naming it', async () => {
    await withEngine(e, { secrets: secretsProvider(secrets) }, async (engine) => {
      const { instanceId } = await engine.execute({ namespace: 'vault', workflow: 'missing', input: undefined, invokedBy: { kind: 'api' } });
      const done = (await engine.waitForEnd(instanceId, 10_000))!;
      expect(done.status).toBe('failed');
      expect(done.errorCode).toBe('direktiv.secrets.notFound');
      expect(done.errorMessage).toContain("'nope'");
    });
  });

  it('an unreachable secrets service is a catchable error', async () => {
    const down = httpBackend('127.0.0.1:9', 'token', { timeoutMs: 500 });
    const unreachable = new Secrets({ mainDb: e.t.db, backend: down, keyring: { current: generateMasterKey(), previous: [] } });
    try {
      await withEngine(e, { secrets: secretsProvider(unreachable) }, async (engine) => {
        const { instanceId } = await engine.execute({ namespace: 'vault', workflow: 'missing', input: undefined, invokedBy: { kind: 'api' } });
        const done = (await engine.waitForEnd(instanceId, 10_000))!;
        expect(done.status).toBe('complete');
        expect(done.flow).toEqual(['call', 'caught']);
        expect(done.output).toMatchObject({ error: { code: 'direktiv.secrets.unavailable' } });
      });
    } finally {
      down.close();
    }
  });

  it('a node with no secrets service configured: catchable too, saying so', async () => {
    await withEngine(e, { secrets: noSecretsService }, async (engine) => {
      const { instanceId } = await engine.execute({ namespace: 'vault', workflow: 'missing', input: undefined, invokedBy: { kind: 'api' } });
      const done = (await engine.waitForEnd(instanceId, 10_000))!;
      expect(done.flow).toEqual(['call', 'caught']);
      expect(done.output).toMatchObject({ error: { code: 'direktiv.secrets.unavailable', msg: expect.stringContaining('no secrets service is configured') as unknown } });
    });
  });
});
