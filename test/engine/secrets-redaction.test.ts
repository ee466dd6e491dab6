/**
 * Secrets resolved for an action's input never reach the instance log, its error or its data
 * through the engine's own messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Codes, WorkflowError } from '../../src/language/index.js';
import type { SecretsProvider } from '../../src/engine/index.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { withEngine } from './helpers.js';

const SECRET = 'hunter2-very-secret';
const provider: SecretsProvider = {
  resolve(_ns, names) {
    const out: Record<string, string> = {};
    for (const n of names) {
      if (n !== 'token') return Promise.reject(new WorkflowError(Codes.secretsNotFound, `secret '${n}' not found`, false));
      out[n] = SECRET;
    }
    return Promise.resolve(out);
  },
};

describe.each(BACKENDS)('secret redaction on %s', (backend) => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy('redact', `id: child
states:
- id: a
  type: noop
`);
    await e.deploy('redact', `id: leaky
states:
- id: call
  type: action
  action:
    workflow: child
    secrets: [token]
    input: 'jq(error("bad token: " + .secrets.token))'
  catch:
  - error: '*'
`);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('an error message quoting a secret is redacted in the log, the error and the data', async () => {
    await withEngine(e, { secrets: provider }, async (engine) => {
      const { instanceId } = await engine.execute({ namespace: 'redact', workflow: 'leaky', input: undefined, invokedBy: { kind: 'api' } });
      const done = (await engine.waitForEnd(instanceId, 10_000))!;
      expect(done.status).toBe('complete');
      expect(JSON.stringify(done.output)).not.toContain(SECRET);
      expect(JSON.stringify(done.output)).toContain('[redacted]');
      const lines = await e.logLines(instanceId);
      expect(lines.join('\n')).not.toContain(SECRET);
      expect(lines.join('\n')).toContain('bad token: [redacted]');
    });
  });
});
