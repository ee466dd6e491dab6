/**
 * foreach and parallel over subflows (language reference §6): items from the `array` template,
 * the action input evaluated against each item, `.return` in item/action order whatever order
 * the children end in, `concurrency` (default 10), the first error fails the state and cancels
 * the rest; parallel `and`/`or` modes, direktiv.parallel.allFailed, `null` where unfinished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs, maxOverlap, waitEnd, wf } from './helpers.js';

/** A child that sleeps when `.slow` is true (long for 'very'), then echoes its input. */
const variable = `id: variable
states:
- id: pick
  type: switch
  conditions:
  - condition: 'jq(.slow == "very")'
    transition: very
  - condition: 'jq(.slow)'
    transition: slow
  defaultTransition: out
- id: very
  type: delay
  duration: PT30S
  transition: out
- id: slow
  type: delay
  duration: PT0.6S
  transition: out
- id: out
  type: noop
  transform: 'jq({n: .n})'
`;

describe.each(BACKENDS)('foreach on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('fe');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, variable);
    await e.deploy(ns, wf.echo('echo'));
    await e.deploy(ns, wf.fail('failing', 'app.item.failed', 'item failed'));
    await e.deploy(ns, wf.sleep('short', 'PT0.3S'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it('runs the action for each item of the stream; input evaluated against the item', async () => {
    await e.deploy(ns, `id: each-stream
states:
- id: each
  type: foreach
  array: 'jq(.items[] | {n: .})'
  action:
    workflow: echo
    input: 'jq({n: (.n * 10)})'
`);
    const d = await e.run(ns, 'each-stream', { items: [1, 2, 3] });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({
      items: [1, 2, 3],
      return: [
        { n: 10, done: 'echo' },
        { n: 20, done: 'echo' },
        { n: 30, done: 'echo' },
      ],
    });
    expect(await childrenOf(e, d.id)).toHaveLength(3);
  });

  it('a single array output gives its elements; the input defaults to the item', async () => {
    await e.deploy(ns, `id: each-array
states:
- id: each
  type: foreach
  array: 'jq(.items)'
  action:
    workflow: echo
`);
    const d = await e.run(ns, 'each-array', { items: [{ a: 1 }, { a: 2 }] });
    expect(d.output).toMatchObject({ return: [{ a: 1, done: 'echo' }, { a: 2, done: 'echo' }] });
  });

  it('a list template gives its elements (scalars reach the child normalised)', async () => {
    await e.deploy(ns, `id: each-list
states:
- id: each
  type: foreach
  array: [1, 'jq(.x)']
  action:
    workflow: echo
`);
    const d = await e.run(ns, 'each-list', { x: 'two' });
    expect(d.output).toMatchObject({ return: [{ input: 1, done: 'echo' }, { input: 'two', done: 'echo' }] });
  });

  it('no items: .return is [] and no child runs', async () => {
    await e.deploy(ns, `id: each-empty
states:
- id: each
  type: foreach
  array: 'jq(.items[])'
  action:
    workflow: echo
  transition: after
- id: after
  type: noop
`);
    const d = await e.run(ns, 'each-empty', { items: [] });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ items: [], return: [] });
    expect(await childrenOf(e, d.id)).toEqual([]);
  });

  it('.return is in item order even when later items end first', async () => {
    await e.deploy(ns, `id: each-order
states:
- id: each
  type: foreach
  array: 'jq(.items[])'
  action:
    workflow: variable
`);
    const d = await e.run(ns, 'each-order', {
      items: [
        { n: 1, slow: true },
        { n: 2, slow: false },
        { n: 3, slow: true },
        { n: 4, slow: false },
      ],
    });
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ return: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
    const kids = await childrenOf(e, d.id);
    const end = (n: number) => Date.parse(kids.find((k) => (k.input as { n: number }).n === n)!.endTime!);
    expect(end(2)).toBeLessThan(end(1));
  });

  it('concurrency caps the children running at once', async () => {
    await e.deploy(ns, `id: each-capped
states:
- id: each
  type: foreach
  array: 'jq(range(5) | {n: .})'
  concurrency: 2
  action:
    workflow: short
`);
    const t0 = Date.now();
    const d = await e.run(ns, 'each-capped', {});
    expect(d.status).toBe('complete');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 300 - 50);
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(5);
    expect(maxOverlap(kids)).toBe(2);
    expect(d.output).toMatchObject({ return: [0, 1, 2, 3, 4].map((n) => ({ n, slept: true })) });
  });

  it('the default concurrency is 10', async () => {
    await e.deploy(ns, `id: each-default-cap
states:
- id: each
  type: foreach
  array: 'jq(range(12) | {n: .})'
  action:
    workflow: short
`);
    const d = await e.run(ns, 'each-default-cap', {});
    expect(d.status).toBe('complete');
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(12);
    expect(maxOverlap(kids)).toBe(10);
  });

  it('the first error fails the state and cancels the other children', async () => {
    await e.deploy(ns, `id: each-fails
states:
- id: each
  type: foreach
  array: 'jq(.items[])'
  action:
    workflow: variable-or-fail
`);
    await e.deploy(ns, `id: variable-or-fail
states:
- id: pick
  type: switch
  conditions:
  - condition: 'jq(.fail)'
    transition: fail
  defaultTransition: wait
- id: wait
  type: delay
  duration: PT30S
- id: fail
  type: delay
  duration: PT0.2S
  transition: boom
- id: boom
  type: error
  error: app.item.failed
  message: 'item jq(.n) failed'
`);
    const t0 = Date.now();
    const d = await e.run(ns, 'each-fails', { items: [{ n: 1 }, { n: 2, fail: true }, { n: 3 }] });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.item.failed');
    expect(d.errorMessage).toBe('item 2 failed');
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    for (const k of kids.filter((k) => !(k.input as { fail?: boolean }).fail)) {
      const c = await waitEnd(e, k.id, 5_000);
      expect(c.status).toBe('cancelled');
      expect(c.errorCode).toBe('direktiv.cancels.parent');
    }
  });

  it('items not yet launched (concurrency) are never started after the state failed', async () => {
    await e.deploy(ns, `id: each-fails-capped
states:
- id: each
  type: foreach
  array: 'jq(.items[])'
  concurrency: 1
  action:
    workflow: failing
  catch:
  - error: app.*
    transition: handled
- id: handled
  type: delay
  duration: PT0.3S
`);
    const d = await e.run(ns, 'each-fails-capped', { items: [1, 2, 3] });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['each', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'app.item.failed', msg: 'item failed' } });
    expect(await childrenOf(e, d.id)).toHaveLength(1);
  });

  it('a foreach over type: subflow functions', async () => {
    await e.deploy(ns, `id: each-function
functions:
- id: child
  type: subflow
  workflow: echo
states:
- id: each
  type: foreach
  array: 'jq(.xs[] | {x: .})'
  action:
    function: child
  transform: 'jq({xs: [.return[].x]})'
`);
    const d = await e.run(ns, 'each-function', { xs: ['a', 'b'] });
    expect(d.output).toEqual({ xs: ['a', 'b'] });
  });
});

describe.each(BACKENDS)('parallel on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('par');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, variable);
    await e.deploy(ns, wf.echo('echo'));
    await e.deploy(ns, wf.fail('failing', 'app.branch.failed', 'branch failed'));
    await e.deploy(ns, wf.fail('failing2', 'app.branch.other', 'other failed'));
    await e.deploy(ns, `id: slow-fail
states:
- id: wait
  type: delay
  duration: PT0.4S
  transition: boom
- id: boom
  type: error
  error: app.slow.failed
  message: 'slow failure'
`);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('mode and (the default) waits for all; .return is in action order', async () => {
    await e.deploy(ns, `id: par-and
functions:
- id: echo-fn
  type: subflow
  workflow: echo
states:
- id: p
  type: parallel
  actions:
  - workflow: variable
    input: 'jq({n: 1, slow: true})'
  - function: echo-fn
    input: 'jq({n: 2})'
  - workflow: variable
    input: 'jq({n: 3, slow: false})'
  transition: after
- id: after
  type: noop
  transform: 'jq({r: .return})'
`);
    const d = await e.run(ns, 'par-and', {});
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ r: [{ n: 1 }, { n: 2, done: 'echo' }, { n: 3 }] });
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    // all ran at once
    expect(maxOverlap(kids)).toBeGreaterThanOrEqual(2);
  });

  it('mode and: any error fails the state and cancels the others', async () => {
    await e.deploy(ns, `id: par-and-fail
states:
- id: p
  type: parallel
  mode: and
  actions:
  - workflow: variable
    input: 'jq({n: 1, slow: "very"})'
  - workflow: slow-fail
  catch:
  - error: app.slow.*
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'par-and-fail', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['p', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'app.slow.failed', msg: 'slow failure' } });
    const kids = await childrenOf(e, d.id);
    const sleeper = kids.find((k) => k.workflow === 'variable')!;
    const c = await waitEnd(e, sleeper.id, 5_000);
    expect(c.status).toBe('cancelled');
    expect(c.errorCode).toBe('direktiv.cancels.parent');
  });

  it('mode or: the first success wins; unfinished branches are null and cancelled', async () => {
    await e.deploy(ns, `id: par-or
states:
- id: p
  type: parallel
  mode: or
  actions:
  - workflow: variable
    input: 'jq({n: 1, slow: "very"})'
  - workflow: variable
    input: 'jq({n: 2, slow: true})'
  - workflow: failing
`);
    const d = await e.run(ns, 'par-or', {});
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ return: [null, { n: 2 }, null] });
    const kids = await childrenOf(e, d.id);
    const first = kids.find((k) => (k.input as { n?: number }).n === 1)!;
    const c = await waitEnd(e, first.id, 5_000);
    expect(c.status).toBe('cancelled');
    expect(c.errorCode).toBe('direktiv.cancels.parent');
  });

  it('mode or: all failed → direktiv.parallel.allFailed (catchable)', async () => {
    await e.deploy(ns, `id: par-or-all-failed
states:
- id: p
  type: parallel
  mode: or
  actions:
  - workflow: failing
  - workflow: failing2
  - workflow: slow-fail
  catch:
  - error: direktiv.parallel.allFailed
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'par-or-all-failed', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['p', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.parallel.allFailed' } });

    await e.deploy(ns, `id: par-or-all-failed-uncaught
states:
- id: p
  type: parallel
  mode: or
  actions:
  - workflow: failing
  - workflow: failing2
`);
    const u = await e.run(ns, 'par-or-all-failed-uncaught', {});
    expect(u.status).toBe('failed');
    expect(u.errorCode).toBe('direktiv.parallel.allFailed');
  });

  it('mode or: a success after an earlier failure still wins', async () => {
    await e.deploy(ns, `id: par-or-late-success
states:
- id: p
  type: parallel
  mode: or
  actions:
  - workflow: failing
  - workflow: variable
    input: 'jq({n: 7, slow: true})'
`);
    const d = await e.run(ns, 'par-or-late-success', {});
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ return: [null, { n: 7 }] });
  });

  it('each action gets its own input, evaluated against the state data', async () => {
    await e.deploy(ns, `id: par-inputs
states:
- id: p
  type: parallel
  actions:
  - workflow: echo
    input: 'jq({v: .a})'
  - workflow: echo
    input: 'jq({v: .b})'
  - workflow: echo
`);
    const d = await e.run(ns, 'par-inputs', { a: 1, b: 2 });
    expect(d.output).toEqual({
      a: 1,
      b: 2,
      return: [
        { v: 1, done: 'echo' },
        { v: 2, done: 'echo' },
        { a: 1, b: 2, done: 'echo' },
      ],
    });
  });

  it('a missing subflow in a parallel state fails it with direktiv.subflow.notExist and stops the others', async () => {
    await e.deploy(ns, `id: par-missing
states:
- id: p
  type: parallel
  actions:
  - workflow: variable
    input: 'jq({n: 1, slow: "very"})'
  - workflow: not-there
`);
    const d = await e.run(ns, 'par-missing', {}, 5_000);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.subflow.notExist');
    for (const k of await childrenOf(e, d.id)) {
      expect((await waitEnd(e, k.id, 5_000)).status).toBe('cancelled');
    }
  });
});
