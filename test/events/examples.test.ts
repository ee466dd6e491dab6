/**
 * The users' event examples (../shared/examples) together: generateEvent workflows wake the
 * consumeEvent, eventAnd and eventXor examples, and instance logs start the instanceLog
 * listener. The woken examples go on to call functions; here the test follows them up to the
 * first action (the action service is another component).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceDetail } from '../../src/engine/index.js';
import { installEventHooks } from '../../src/events/index.js';
import * as workflows from '../../src/workflows/index.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { untilWaiting } from './helpers.js';

const example = (name: string) => readFileSync(new URL(`../../../shared/examples/${name}`, import.meta.url), 'utf8');

installEventHooks();

describe.each(BACKENDS)('event examples on %s', (backend) => {
  let e: TestEngine;
  const NS = 'examples';
  beforeAll(async () => {
    e = await startTestEngine(backend);
    for (const f of [
      'v03-tpl-consume-event.yaml',
      'v03-tpl-event-and.yaml',
      'v03-tpl-event-xor.yaml',
      'v03-tpl-generate-greeting-event.yaml',
      'v03-tpl-generate-solve-event.yaml',
      'v04-gcp-logger-instancelog-event.yaml',
    ]) {
      await e.deploy(NS, example(f));
    }
  });
  afterAll(async () => {
    await e.stop();
  });

  const start = async (wf: string) =>
    (await e.engine.execute({ namespace: NS, workflow: wf, input: Buffer.from('{}'), invokedBy: { kind: 'api' } })).instanceId;
  const end = async (id: string): Promise<InstanceDetail> => (await e.engine.waitForEnd(id, 10_000))!;
  const registered = (id: string) => untilWaiting(e, id);

  it('generate-greeting-event wakes consume-event and event-xor (greet branch); with generate-solve-event, event-and', async () => {
    const consume = await start('consume-event');
    const and = await start('event-and');
    const xor = await start('event-xor');
    await Promise.all([registered(consume), registered(and), registered(xor)]);

    expect((await end(await start('generate-greeting-event'))).status).toBe('complete');
    expect((await end(consume)).flow).toEqual(['ce', 'greet']);
    expect((await end(xor)).flow).toEqual(['event-xor', 'greet']);
    expect((await e.logLines(consume)).join('\n')).toContain('Received event: greetingcloudevent.');
    // eventAnd has one of its two events: it still waits.
    expect((await e.engine.getInstance(and))!.status).toBe('pending');

    expect((await end(await start('generate-solve-event'))).status).toBe('complete');
    expect((await end(and)).flow).toEqual(['event-and', 'greet']);
    expect((await e.logLines(and)).join('\n')).toContain('Received events: greetingcloudevent, solveexpressioncloudevent.');
  });

  it('gcp-logger starts on the instanceLog events of a workflow whose logToEvents is gcpLogger', async () => {
    await e.deploy(NS, `id: noisy
states:
- id: a
  type: noop
  log: jq(.note)
`);
    await e.t.db.tx((q) => workflows.changeSettings(q, NS, 'noisy', { logToEvents: 'gcpLogger' }));
    const before = await e.engine.listInstances({ namespace: NS, workflow: 'gcp-logger', offset: 0, limit: 10 });
    await end(
      (await e.engine.execute({ namespace: NS, workflow: 'noisy', input: Buffer.from('{"note":"disk almost full"}'), invokedBy: { kind: 'api' } }))
        .instanceId,
    );
    const after = await e.engine.listInstances({ namespace: NS, workflow: 'gcp-logger', offset: 0, limit: 10 });
    expect(after.total).toBe(before.total + 1);
    const logger = (await end(after.items[0]!.id));
    expect(logger.input).toEqual({ 'direktiv.instanceLog': 'disk almost full' });
    expect(logger.invokedBy).toMatchObject({ kind: 'event' });
  });
});
