/**
 * Timeouts (language reference §9): `timeouts.interrupt` raises the catchable
 * direktiv.cancels.timeout in the current state; `timeouts.kill` cancels the instance with an
 * uncatchable direktiv.cancels.timeout; a state `timeout` on action, foreach and parallel raises
 * a catchable direktiv.cancels.timeout in that state and cancels its children; the defaults are
 * server settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs, start, waitEnd, wf } from './helpers.js';

const elapsed = (d: { beginTime: string; endTime: string | null }) => Date.parse(d.endTime!) - Date.parse(d.beginTime);

describe.each(BACKENDS)('workflow timeouts on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('to');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, wf.sleep('sleeper', 'PT30S'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it('interrupt raises a catchable direktiv.cancels.timeout in the current state', async () => {
    await e.deploy(ns, `id: interrupted
timeouts:
  interrupt: PT0.5S
  kill: PT10S
states:
- id: wait
  type: delay
  duration: PT20S
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
  transform: 'jq({caught: .error.code})'
`);
    const d = await e.run(ns, 'interrupted', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['wait', 'handled']);
    expect(d.output).toEqual({ caught: 'direktiv.cancels.timeout' });
    expect(elapsed(d)).toBeGreaterThanOrEqual(450);
    expect(elapsed(d)).toBeLessThan(5_000);
  });

  it('an uncaught interrupt fails the instance with direktiv.cancels.timeout', async () => {
    await e.deploy(ns, `id: interrupted-uncaught
timeouts:
  interrupt: PT0.3S
states:
- id: wait
  type: delay
  duration: PT20S
`);
    const d = await e.run(ns, 'interrupted-uncaught', {});
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.cancels.timeout');
  });

  it('interrupt fires in whichever state is current, also after earlier states waited', async () => {
    await e.deploy(ns, `id: interrupt-later-state
timeouts:
  interrupt: PT0.8S
states:
- id: first
  type: delay
  duration: PT0.1S
  transition: second
- id: second
  type: action
  action:
    workflow: sleeper
  transition: third
- id: third
  type: delay
  duration: PT20S
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'interrupt-later-state', {}, 6_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.cancels.timeout');
    expect(d.flow).toEqual(['first', 'second']);
    expect(elapsed(d)).toBeLessThan(5_000);
    // the state's child is cancelled
    const [child] = await childrenOf(e, d.id);
    const c = await waitEnd(e, child!.id, 5_000);
    expect(c.status).toBe('cancelled');
  });

  it('interrupt during an action is catchable there and cancels the child', async () => {
    await e.deploy(ns, `id: interrupt-action
timeouts:
  interrupt: PT0.5S
states:
- id: call
  type: action
  action:
    workflow: sleeper
  catch:
  - error: direktiv.cancels.*
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'interrupt-action', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    const [child] = await childrenOf(e, d.id);
    const c = await waitEnd(e, child!.id, 5_000);
    expect(c.status).toBe('cancelled');
    expect(c.errorCode).toBe('direktiv.cancels.parent');
  });

  it('kill cancels the instance with an uncatchable direktiv.cancels.timeout', async () => {
    await e.deploy(ns, `id: killed
timeouts:
  interrupt: PT0.3S
  kill: PT0.8S
states:
- id: wait
  type: delay
  duration: PT20S
  catch:
  - error: '*'
    transition: more
- id: more
  type: delay
  duration: PT20S
  catch:
  - error: '*'
    transition: never
- id: never
  type: noop
`);
    const d = await e.run(ns, 'killed', {}, 6_000);
    expect(d.status).toBe('cancelled');
    expect(d.errorCode).toBe('direktiv.cancels.timeout');
    expect(d.flow).toEqual(['wait', 'more']);
    expect(elapsed(d)).toBeGreaterThanOrEqual(750);
    expect(elapsed(d)).toBeLessThan(5_000);
  });

  it('kill alone (shorter than the default interrupt) still cancels the instance', async () => {
    await e.deploy(ns, `id: kill-only
timeouts:
  kill: PT0.5S
states:
- id: wait
  type: delay
  duration: PT20S
`);
    const d = await e.run(ns, 'kill-only', {}, 6_000);
    expect(d.status).toBe('cancelled');
    expect(d.errorCode).toBe('direktiv.cancels.timeout');
  });

  it('kill cancels the children of the killed instance', async () => {
    await e.deploy(ns, `id: kill-children
timeouts:
  interrupt: PT0.3S
  kill: PT0.6S
states:
- id: call
  type: action
  action:
    workflow: sleeper
  catch:
  - error: direktiv.cancels.timeout
    transition: again
- id: again
  type: action
  action:
    workflow: sleeper
`);
    const d = await e.run(ns, 'kill-children', {}, 6_000);
    expect(d.status).toBe('cancelled');
    expect(d.flow).toEqual(['call', 'again']);
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(2);
    for (const k of kids) expect((await waitEnd(e, k.id, 5_000)).status).toBe('cancelled');
  });

  it("a child's kill comes back to its parent as a catchable direktiv.cancels.timeout", async () => {
    await e.deploy(ns, `id: killed-child
timeouts:
  kill: PT0.4S
states:
- id: wait
  type: delay
  duration: PT20S
`);
    await e.deploy(ns, `id: parent-of-killed
states:
- id: call
  type: action
  action:
    workflow: killed-child
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'parent-of-killed', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.cancels.timeout' } });
    const [child] = await childrenOf(e, d.id);
    expect(child!.status).toBe('cancelled');
    expect(child!.errorCode).toBe('direktiv.cancels.timeout');
  });

  it('kill defaults to interrupt + 5 minutes when only interrupt is given (timers as scheduled)', async () => {
    await e.deploy(ns, `id: interrupt-only
timeouts:
  interrupt: PT1M
states:
- id: wait
  type: delay
  duration: PT20S
`);
    const id = await start(e, ns, 'interrupt-only', {});
    const timers = await e.t.db.query<{ scope: string; ms: number }>(
      `SELECT w.payload->>'scope' AS scope, (extract(epoch FROM w.run_at - i.begin_time) * 1000)::float8 AS ms
         FROM work w JOIN instances i ON i.id = w.instance_id
        WHERE w.instance_id = $1 AND w.kind = 'timeout'`,
      [id],
    );
    const at = Object.fromEntries(timers.rows.map((r) => [r.scope, r.ms]));
    expect(at.interrupt).toBeCloseTo(60_000, -3);
    expect(at.kill).toBeCloseTo(6 * 60_000, -3);
    await e.engine.cancel(id);
  });

  it('an instance that ends before its timeouts is not disturbed by them', async () => {
    await e.deploy(ns, `id: quick
timeouts:
  interrupt: PT0.3S
  kill: PT0.6S
states:
- id: a
  type: noop
`);
    const d = await e.run(ns, 'quick', {});
    expect(d.status).toBe('complete');
    const first = await e.engine.getInstance(d.id);
    await new Promise((r) => setTimeout(r, 800));
    const again = await e.engine.getInstance(d.id);
    expect(again).toEqual(first);
    expect(again!.status).toBe('complete');
  });
});

describe.each(BACKENDS)('state timeouts on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('st');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, wf.sleep('sleeper', 'PT30S'));
    await e.deploy(ns, wf.echo('echo'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it('action timeout: catchable direktiv.cancels.timeout, the child is cancelled', async () => {
    await e.deploy(ns, `id: action-timeout
states:
- id: call
  type: action
  timeout: PT0.4S
  action:
    workflow: sleeper
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'action-timeout', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.cancels.timeout' } });
    expect(elapsed(d)).toBeGreaterThanOrEqual(350);
    const [child] = await childrenOf(e, d.id);
    const c = await waitEnd(e, child!.id, 5_000);
    expect(c.status).toBe('cancelled');
    expect(c.errorCode).toBe('direktiv.cancels.parent');
  });

  it('an uncaught state timeout fails the instance with direktiv.cancels.timeout', async () => {
    await e.deploy(ns, `id: action-timeout-uncaught
states:
- id: call
  type: action
  timeout: PT0.3S
  action:
    workflow: sleeper
`);
    const d = await e.run(ns, 'action-timeout-uncaught', {}, 6_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.cancels.timeout');
  });

  it('a state that ends in time is not interrupted later by its timeout', async () => {
    await e.deploy(ns, `id: in-time
states:
- id: call
  type: action
  timeout: PT0.5S
  action:
    workflow: echo
  transition: wait
- id: wait
  type: delay
  duration: PT0.8S
`);
    const d = await e.run(ns, 'in-time', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'wait']);
  });

  it('foreach timeout: catchable, every running child is cancelled', async () => {
    await e.deploy(ns, `id: foreach-timeout
states:
- id: each
  type: foreach
  timeout: PT0.5S
  array: 'jq(range(3) | {n: .})'
  action:
    workflow: sleeper
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'foreach-timeout', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['each', 'handled']);
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    for (const k of kids) expect((await waitEnd(e, k.id, 5_000)).errorCode).toBe('direktiv.cancels.parent');
  });

  it('parallel timeout: catchable, every running child is cancelled', async () => {
    await e.deploy(ns, `id: parallel-timeout
states:
- id: p
  type: parallel
  timeout: PT0.5S
  actions:
  - workflow: sleeper
  - workflow: echo
  - workflow: sleeper
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'parallel-timeout', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['p', 'handled']);
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    const sleepers = kids.filter((k) => k.workflow === 'sleeper');
    for (const k of sleepers) expect((await waitEnd(e, k.id, 5_000)).status).toBe('cancelled');
  });

  it('a state timeout also covers the waits between retries', async () => {
    await e.deploy(ns, wf.fail('failing'));
    await e.deploy(ns, `id: retry-timeout
states:
- id: call
  type: action
  timeout: PT0.5S
  action:
    workflow: failing
    retries:
      max_attempts: 5
      delay: PT10S
      codes: ['*']
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'retry-timeout', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(await childrenOf(e, d.id)).toHaveLength(1);
  });
});

describe.each(BACKENDS)('timeout defaults from the server settings on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('ts');
  beforeAll(async () => {
    e = await startTestEngine(backend, { interruptMs: 1_500, killMs: 2_500, stateTimeoutMs: 300 });
    await e.deploy(ns, wf.sleep('sleeper', 'PT30S'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it('the default state timeout of actions is settings.stateTimeoutMs', async () => {
    await e.deploy(ns, `id: default-state-timeout
states:
- id: call
  type: action
  action:
    workflow: sleeper
  catch:
  - error: direktiv.cancels.timeout
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'default-state-timeout', {}, 6_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(elapsed(d)).toBeLessThan(1_200);
  });

  it('the default interrupt and kill are settings.interruptMs and settings.killMs', async () => {
    await e.deploy(ns, `id: default-workflow-timeouts
states:
- id: wait
  type: delay
  duration: PT20S
  catch:
  - error: direktiv.cancels.timeout
    transition: more
- id: more
  type: delay
  duration: PT20S
`);
    const d = await e.run(ns, 'default-workflow-timeouts', {}, 6_000);
    expect(d.flow).toEqual(['wait', 'more']);
    expect(d.status).toBe('cancelled');
    expect(d.errorCode).toBe('direktiv.cancels.timeout');
    expect(elapsed(d)).toBeGreaterThanOrEqual(2_450);
  });
});
