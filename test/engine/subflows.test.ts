/**
 * Subflows (language reference §6 action, §8): `action.workflow` and `type: subflow`
 * functions; the child's final data is the parent's `.return`; its error code and message come
 * back as the action's (catchable) error; `async: true` fires and forgets; the depth limit;
 * a missing, disabled or non-default-start child → direktiv.subflow.notExist, never a stuck
 * parent; cancelling the parent state cancels the child.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workflows from '../../src/workflows/index.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs, instancesOf, start, waitChildren, waitEnd, waitUntil, wf } from './helpers.js';

describe.each(BACKENDS)('subflows on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('sub');
  beforeAll(async () => {
    e = await startTestEngine(backend, { subflowDepth: 2 });
    await e.deploy(ns, wf.echo('echo'));
    await e.deploy(ns, wf.fail('failing', 'app.child.failed', 'the child failed'));
    await e.deploy(ns, wf.sleep('sleeper', 'PT30S'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it("action.workflow: the child's final data is the parent's .return", async () => {
    await e.deploy(ns, `id: call-workflow
states:
- id: call
  type: action
  action:
    workflow: echo
    input: 'jq({n: .n, nested: {a: [1]}})'
  transition: after
- id: after
  type: noop
  transform: 'jq({n: .n, got: .return})'
`);
    const d = await e.run(ns, 'call-workflow', { n: 5, other: true });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ n: 5, got: { n: 5, nested: { a: [1] }, done: 'echo' } });
    const [child] = await childrenOf(e, d.id);
    expect(child!.status).toBe('complete');
    expect(child!.input).toEqual({ n: 5, nested: { a: [1] } });
    expect(child!.invokedBy).toMatchObject({ kind: 'subflow', parent: d.id });
    expect(child!.id.startsWith(`${ns}/echo/`)).toBe(true);
  });

  it('a type: subflow function calls the named workflow', async () => {
    await e.deploy(ns, `id: call-function
functions:
- id: child
  type: subflow
  workflow: echo
states:
- id: call
  type: action
  action:
    function: child
    input:
      x: 'jq(.x)'
      lit: 1
`);
    const d = await e.run(ns, 'call-function', { x: 'y' });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ x: 'y', return: { x: 'y', lit: 1, done: 'echo' } });
  });

  it('the action input defaults to the whole data', async () => {
    await e.deploy(ns, `id: default-input
states:
- id: call
  type: action
  action:
    workflow: echo
`);
    const d = await e.run(ns, 'default-input', { a: 1, b: [2] });
    expect(d.output).toEqual({ a: 1, b: [2], return: { a: 1, b: [2], done: 'echo' } });
  });

  it('an action input that is not an object reaches the child normalised', async () => {
    await e.deploy(ns, `id: scalar-input
states:
- id: call
  type: action
  action:
    workflow: echo
    input: 'jq(.list)'
`);
    const d = await e.run(ns, 'scalar-input', { list: [1, 2] });
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ return: { input: [1, 2], done: 'echo' } });
  });

  it("the child's error code and message come back as a catchable action error", async () => {
    await e.deploy(ns, `id: child-error
states:
- id: call
  type: action
  action:
    workflow: failing
  catch:
  - error: app.child.*
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'child-error', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toEqual({ error: { code: 'app.child.failed', msg: 'the child failed' } });

    await e.deploy(ns, `id: child-error-uncaught
states:
- id: call
  type: action
  action:
    workflow: failing
`);
    const u = await e.run(ns, 'child-error-uncaught', {});
    expect(u.status).toBe('failed');
    expect(u.errorCode).toBe('app.child.failed');
    expect(u.errorMessage).toBe('the child failed');
  });

  it('a child that caught its error and ended successfully is a success for the parent', async () => {
    await e.deploy(ns, `id: child-recovers
states:
- id: call
  type: action
  action:
    workflow: failing
  catch:
  - error: '*'
`);
    await e.deploy(ns, `id: parent-of-recovering
states:
- id: call
  type: action
  action:
    workflow: child-recovers
`);
    const d = await e.run(ns, 'parent-of-recovering', {});
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ return: { error: { code: 'app.child.failed', msg: 'the child failed' } } });
  });

  it('a missing child → direktiv.subflow.notExist, uncatchable, and the parent is not stuck', async () => {
    await e.deploy(ns, `id: missing-child
states:
- id: call
  type: action
  action:
    workflow: does-not-exist
  catch:
  - error: '*'
    transition: caught
- id: caught
  type: noop
`);
    const d = await e.run(ns, 'missing-child', {}, 5_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.subflow.notExist');
    expect(d.flow).toEqual(['call']);
  });

  it('a missing child in a grandchild reaches the top as a catchable error', async () => {
    await e.deploy(ns, `id: missing-mid
states:
- id: call
  type: action
  action:
    workflow: does-not-exist
`);
    await e.deploy(ns, `id: missing-top
states:
- id: call
  type: action
  action:
    workflow: missing-mid
  catch:
  - error: direktiv.subflow.notExist
    transition: caught
- id: caught
  type: noop
`);
    const d = await e.run(ns, 'missing-top', {}, 5_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'caught']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.subflow.notExist' } });
  });

  it('a child deleted after the parent was deployed → direktiv.subflow.notExist', async () => {
    await e.deploy(ns, wf.echo('short-lived'));
    await e.deploy(ns, `id: calls-deleted
states:
- id: call
  type: action
  action:
    workflow: short-lived
`);
    expect((await e.run(ns, 'calls-deleted', {})).status).toBe('complete');
    expect(await e.engine.deleteWorkflow(ns, 'short-lived')).toBe(true);
    const d = await e.run(ns, 'calls-deleted', {}, 5_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.subflow.notExist');
  });

  it('a disabled child and a child with a scheduled start cannot be called', async () => {
    await e.deploy(ns, wf.echo('disabled-child'));
    await e.t.db.tx((q) => workflows.changeSettings(q, ns, 'disabled-child', { active: false }));
    await e.deploy(ns, `id: calls-disabled
states:
- id: call
  type: action
  action:
    workflow: disabled-child
`);
    const d = await e.run(ns, 'calls-disabled', {}, 5_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.subflow.notExist');

    await e.deploy(ns, `id: cron-child
start:
  type: scheduled
  cron: '0 0 1 1 *'
states:
- id: a
  type: noop
`);
    await e.deploy(ns, `id: calls-cron
states:
- id: call
  type: action
  action:
    workflow: cron-child
`);
    const c = await e.run(ns, 'calls-cron', {}, 5_000);
    expect(c.status).toBe('failed');
    expect(c.errorCode).toBe('direktiv.subflow.notExist');
    expect(await instancesOf(e, ns, 'cron-child')).toEqual([]);
  });

  it('the depth limit (settings.subflowDepth = 2): a third level of subflows → direktiv.limits.depth', async () => {
    await e.deploy(ns, `id: recurse
states:
- id: call
  type: action
  action:
    workflow: recurse
    input: 'jq({level: (.level + 1)})'
  catch:
  - error: '*'
    transition: caught
- id: caught
  type: noop
  transform: 'jq({level: .level, caught: .error.code})'
`);
    const d = await e.run(ns, 'recurse', { level: 0 });
    const all = await instancesOf(e, ns, 'recurse');
    // the top instance plus two levels of subflows; the second-level child could not start a third
    expect(all).toHaveLength(3);
    const deepest = all.find((i) => (i.input as { level: number }).level === 2)!;
    // uncatchable where it happens: the catch of the deepest instance is not used
    expect(deepest.status).toBe('failed');
    expect(deepest.errorCode).toBe('direktiv.limits.depth');
    expect(deepest.flow).toEqual(['call']);
    // catchable in its parent
    const mid = all.find((i) => (i.input as { level: number }).level === 1)!;
    expect(mid.status).toBe('complete');
    expect(mid.output).toEqual({ level: 1, caught: 'direktiv.limits.depth' });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ level: 0, return: { level: 1, caught: 'direktiv.limits.depth' } });
  });

  it('async: true fires and forgets: the state moves on at once and .return is not set', async () => {
    await e.deploy(ns, wf.sleep('async-child', 'PT1S'));
    await e.deploy(ns, `id: fire-and-forget
states:
- id: call
  type: action
  async: true
  action:
    workflow: async-child
    input: 'jq({from: "parent"})'
  transition: after
- id: after
  type: noop
  transform: 'jq(. + {after: true})'
`);
    const d = await e.run(ns, 'fire-and-forget', { x: 1 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ x: 1, after: true });
    expect(d.flow).toEqual(['call', 'after']);
    const [child] = await childrenOf(e, d.id);
    expect(child).toBeDefined();
    // the child runs on after the parent ended
    const done = await waitEnd(e, child!.id);
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ from: 'parent', slept: true });
    // the parent did not wait for it
    expect(Date.parse(d.endTime!)).toBeLessThan(Date.parse(done.endTime!));
    expect(Date.parse(done.endTime!) - Date.parse(d.endTime!)).toBeGreaterThan(500);
    // and the ended parent is not disturbed by the child's end
    expect((await e.engine.getInstance(d.id))!.status).toBe('complete');
  });

  it("an async child's failure does not affect the parent", async () => {
    await e.deploy(ns, `id: async-failing
states:
- id: call
  type: action
  async: true
  action:
    workflow: failing
`);
    const d = await e.run(ns, 'async-failing', {});
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({});
    const [child] = await childrenOf(e, d.id);
    expect((await waitEnd(e, child!.id)).status).toBe('failed');
  });

  it('cancelling the parent cancels the running child (direktiv.cancels.parent)', async () => {
    await e.deploy(ns, `id: waits-on-sleeper
states:
- id: call
  type: action
  action:
    workflow: sleeper
`);
    const id = await start(e, ns, 'waits-on-sleeper', {});
    const [child] = await waitChildren(e, id);
    expect(await e.engine.cancel(id)).toBe(true);
    const parent = await waitEnd(e, id, 5_000);
    expect(parent.status).toBe('cancelled');
    expect(parent.errorCode).toBe('direktiv.cancels.api');
    const c = await waitEnd(e, child!.id, 5_000);
    expect(c.status).toBe('cancelled');
    expect(c.errorCode).toBe('direktiv.cancels.parent');
  });

  it('a cancelled child is a catchable error in its parent', async () => {
    await e.deploy(ns, `id: child-cancelled
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
    const id = await start(e, ns, 'child-cancelled', {});
    const [child] = await waitChildren(e, id);
    await waitUntil(async () => (await e.engine.getInstance(child!.id))!.flow.length > 0, 5_000, 'child to run');
    expect(await e.engine.cancel(child!.id)).toBe(true);
    const d = await waitEnd(e, id, 5_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.cancels.api' } });
  });

  it('a busy singular child refuses the call with direktiv.mutex, catchable in the parent', async () => {
    await e.deploy(ns, `id: singular-child
singular: true
states:
- id: a
  type: delay
  duration: PT30S
`);
    const first = await start(e, ns, 'singular-child', {});
    await e.deploy(ns, `id: calls-singular
states:
- id: call
  type: action
  action:
    workflow: singular-child
  catch:
  - error: direktiv.mutex
    transition: handled
- id: handled
  type: noop
`);
    try {
      const d = await e.run(ns, 'calls-singular', {}, 5_000);
      expect(d.status).toBe('complete');
      expect(d.flow).toEqual(['call', 'handled']);
      expect(d.output).toMatchObject({ error: { code: 'direktiv.mutex' } });
    } finally {
      await e.engine.cancel(first);
    }
  });

  it('subflows of another namespace are not visible', async () => {
    const other = freshNs('sub-other');
    await e.deploy(other, wf.echo('only-there'));
    await e.deploy(ns, `id: cross-ns
states:
- id: call
  type: action
  action:
    workflow: only-there
`);
    const d = await e.run(ns, 'cross-ns', {}, 5_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.subflow.notExist');
  });
});
