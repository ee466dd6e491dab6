/**
 * Instance lifecycle (language reference §2 singular, §5 input normalisation, §10 statuses and
 * records): `singular` (and its alias `exclusive`), cancellation through the API cascading to
 * children and grandchildren, revision pinning, the instance record, durable delays across an
 * engine restart, and the retention sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRequestError } from '../../src/engine/index.js';
import { Retention } from '../../src/engine/retention.js';
import * as variables from '../../src/variables/index.js';
import * as workflows from '../../src/workflows/index.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs, instancesOf, start, waitChildren, waitEnd, waitUntil, wf, withEngine } from './helpers.js';

describe.each(BACKENDS)('instance lifecycle on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('lc');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, wf.echo('echo'));
    await e.deploy(ns, wf.sleep('sleeper', 'PT30S'));
  });
  afterAll(async () => {
    await e.stop();
  });

  describe('singular', () => {
    it('while an instance is pending, new instances fail at once with direktiv.mutex', async () => {
      await e.deploy(ns, `id: single
singular: true
states:
- id: wait
  type: delay
  duration: PT0.8S
`);
      const first = await start(e, ns, 'single', {});
      const second = await e.run(ns, 'single', { second: true }, 5_000);
      expect(second.status).toBe('failed');
      expect(second.errorCode).toBe('direktiv.mutex');
      expect(second.flow).toEqual([]);
      expect(second.endTime).not.toBeNull();
      expect(second.input).toEqual({ second: true });
      expect((await e.engine.getInstance(first))!.status).toBe('pending');
      const done = await waitEnd(e, first);
      expect(done.status).toBe('complete');
      // the second failed at once, long before the first ended
      expect(Date.parse(done.endTime!) - Date.parse(second.endTime!)).toBeGreaterThan(300);
      // free again once the first ended
      const third = await start(e, ns, 'single', {});
      expect((await e.engine.getInstance(third))!.status).toBe('pending');
      expect((await waitEnd(e, third)).status).toBe('complete');
    });

    it('a failed or cancelled instance frees the workflow too', async () => {
      await e.deploy(ns, `id: single-cancel
singular: true
states:
- id: wait
  type: delay
  duration: PT30S
`);
      const first = await start(e, ns, 'single-cancel', {});
      expect(await e.engine.cancel(first)).toBe(true);
      const second = await start(e, ns, 'single-cancel', {});
      expect((await e.engine.getInstance(second))!.status).toBe('pending');
      await e.engine.cancel(second);
    });

    it('exclusive is an alias of singular', async () => {
      await e.deploy(ns, `id: exclusive
exclusive: true
states:
- id: wait
  type: delay
  duration: PT30S
`);
      const first = await start(e, ns, 'exclusive', {});
      const second = await e.run(ns, 'exclusive', {}, 5_000);
      expect(second.errorCode).toBe('direktiv.mutex');
      await e.engine.cancel(first);
    });

    it('a workflow that is not singular runs instances side by side', async () => {
      await e.deploy(ns, `id: not-single
states:
- id: wait
  type: delay
  duration: PT0.3S
`);
      const a = await start(e, ns, 'not-single', {});
      const b = await start(e, ns, 'not-single', {});
      expect((await waitEnd(e, a)).status).toBe('complete');
      expect((await waitEnd(e, b)).status).toBe('complete');
    });
  });

  describe('cancellation', () => {
    it('cancel through the API: status cancelled, code direktiv.cancels.api; only pending instances', async () => {
      const id = await start(e, ns, 'sleeper', {});
      expect(await e.engine.cancel(id)).toBe(true);
      const d = await waitEnd(e, id, 5_000);
      expect(d.status).toBe('cancelled');
      expect(d.errorCode).toBe('direktiv.cancels.api');
      expect(d.endTime).not.toBeNull();
      expect(await e.engine.cancel(id)).toBe(false);
      const done = await e.run(ns, 'echo', {});
      expect(await e.engine.cancel(done.id)).toBe(false);
      expect((await e.engine.getInstance(done.id))!.status).toBe('complete');
    });

    it('a cancelled instance does not wake up again when its timers are due', async () => {
      await e.deploy(ns, `id: short-sleep
states:
- id: wait
  type: delay
  duration: PT0.3S
  transition: after
- id: after
  type: noop
`);
      const id = await start(e, ns, 'short-sleep', {});
      await e.engine.cancel(id);
      await new Promise((r) => setTimeout(r, 600));
      const d = (await e.engine.getInstance(id))!;
      expect(d.status).toBe('cancelled');
      expect(d.flow).toEqual(['wait']);
    });

    it('cancelling a parent cascades to children and grandchildren', async () => {
      await e.deploy(ns, `id: middle
states:
- id: call
  type: parallel
  actions:
  - workflow: sleeper
  - workflow: sleeper
`);
      await e.deploy(ns, `id: top
states:
- id: call
  type: action
  action:
    workflow: middle
`);
      const id = await start(e, ns, 'top', {});
      const [mid] = await waitChildren(e, id);
      const grandchildren = await waitChildren(e, mid!.id, 2);
      expect(await e.engine.cancel(id)).toBe(true);
      expect((await waitEnd(e, id, 5_000)).status).toBe('cancelled');
      const m = await waitEnd(e, mid!.id, 5_000);
      expect(m.status).toBe('cancelled');
      expect(m.errorCode).toBe('direktiv.cancels.parent');
      for (const g of grandchildren) {
        const d = await waitEnd(e, g.id, 5_000);
        expect(d.status).toBe('cancelled');
        expect(d.errorCode).toBe('direktiv.cancels.parent');
      }
    });

    it('cancelling a foreach parent cancels every running item', async () => {
      await e.deploy(ns, `id: each-sleeper
states:
- id: each
  type: foreach
  array: 'jq(range(3) | {n: .})'
  action:
    workflow: sleeper
`);
      const id = await start(e, ns, 'each-sleeper', {});
      const kids = await waitChildren(e, id, 3);
      await e.engine.cancel(id);
      for (const k of kids) expect((await waitEnd(e, k.id, 5_000)).status).toBe('cancelled');
    });

    it('deleting a workflow cancels its pending instances and their children', async () => {
      await e.deploy(ns, `id: doomed
states:
- id: call
  type: action
  action:
    workflow: sleeper
`);
      const id = await start(e, ns, 'doomed', {});
      const [child] = await waitChildren(e, id);
      expect(await e.engine.deleteWorkflow(ns, 'doomed')).toBe(true);
      const c = await waitEnd(e, child!.id, 5_000);
      expect(c.status).toBe('cancelled');
      expect(c.errorCode).toBe('direktiv.cancels.parent');
    });
  });

  describe('revisions', () => {
    it('a running instance keeps its revision when the workflow changes', async () => {
      await e.deploy(ns, `id: pinned
states:
- id: wait
  type: delay
  duration: PT0.5S
  transition: v1
- id: v1
  type: noop
  transform:
    version: 1
`);
      const old = await start(e, ns, 'pinned', {});
      await waitUntil(async () => (await e.engine.getInstance(old))!.flow.length > 0, 5_000, 'the instance to start');
      await e.deploy(ns, `id: pinned
states:
- id: other
  type: noop
  transform:
    version: 2
`);
      const d = await waitEnd(e, old);
      expect(d.status).toBe('complete');
      expect(d.revision).toBe(1);
      expect(d.output).toEqual({ version: 1 });
      expect(d.flow).toEqual(['wait', 'v1']);
      const fresh = await e.run(ns, 'pinned', {});
      expect(fresh.revision).toBe(2);
      expect(fresh.output).toEqual({ version: 2 });
      expect(fresh.flow).toEqual(['other']);
    });

    it('a pending subflow child started before an update keeps its revision too', async () => {
      await e.deploy(ns, `id: pinned-child
states:
- id: wait
  type: delay
  duration: PT0.5S
  transform:
    child: 1
`);
      await e.deploy(ns, `id: pinned-parent
states:
- id: call
  type: action
  action:
    workflow: pinned-child
`);
      const id = await start(e, ns, 'pinned-parent', {});
      await waitChildren(e, id);
      await e.deploy(ns, `id: pinned-child
states:
- id: x
  type: noop
  transform:
    child: 2
`);
      const d = await waitEnd(e, id);
      expect(d.output).toEqual({ return: { child: 1 } });
    });
  });

  describe('the instance record', () => {
    it('records id, workflow, revision, status, invoker, input, output, flow and times', async () => {
      await e.deploy(ns, `id: recorded
states:
- id: a
  type: noop
  transition: b
- id: b
  type: noop
  transform: 'jq({out: .in})'
`);
      const before = Date.now();
      const d = await e.run(ns, 'recorded', { in: 1 });
      expect(d.id).toMatch(new RegExp(`^${ns}/recorded/[A-Za-z0-9]+$`));
      expect(d.namespace).toBe(ns);
      expect(d.workflow).toBe('recorded');
      expect(d.revision).toBe(1);
      expect(d.status).toBe('complete');
      expect(d.invokedBy).toEqual({ kind: 'api' });
      expect(d.input).toEqual({ in: 1 });
      expect(d.output).toEqual({ out: 1 });
      expect(d.flow).toEqual(['a', 'b']);
      expect(d.errorCode).toBeNull();
      expect(d.errorMessage).toBeNull();
      expect(Date.parse(d.beginTime)).toBeGreaterThanOrEqual(before - 2_000);
      expect(Date.parse(d.endTime!)).toBeGreaterThanOrEqual(Date.parse(d.beginTime));
      // what waitForEnd answered is the stored record
      expect(await e.engine.getInstance(d.id)).toEqual(d);
      const list = await e.engine.listInstances({ namespace: ns, workflow: 'recorded', offset: 0, limit: 10 });
      expect(list.total).toBe(1);
      expect(list.items[0]).toMatchObject({ id: d.id, status: 'complete', revision: 1 });
    });

    it('waitForEnd answers with the stored record, also for instances that waited or failed', async () => {
      await e.deploy(ns, `id: recorded-wait
states:
- id: a
  type: delay
  duration: PT0.1S
`);
      const waited = await e.run(ns, 'recorded-wait', { w: 1 });
      expect(await e.engine.getInstance(waited.id)).toEqual(waited);
      expect(Date.parse(waited.endTime!) - Date.parse(waited.beginTime)).toBeGreaterThanOrEqual(90);
      await e.deploy(ns, wf.fail('recorded-fail', 'app.rec', 'recorded failure'));
      const failed = await e.run(ns, 'recorded-fail', { f: 1 });
      expect(failed.status).toBe('failed');
      expect(await e.engine.getInstance(failed.id)).toEqual(failed);
    });

    it('a pending instance has no end time, output or error', async () => {
      const id = await start(e, ns, 'sleeper', {});
      const d = (await e.engine.getInstance(id))!;
      expect(d.status).toBe('pending');
      expect(d.endTime).toBeNull();
      expect(d.output).toBeNull();
      expect(d.errorCode).toBeNull();
      const pending = await e.engine.listInstances({ namespace: ns, status: 'pending', offset: 0, limit: 100 });
      expect(pending.items.map((i) => i.id)).toContain(id);
      await e.engine.cancel(id);
    });

    it('a subflow records its parent as the invoker', async () => {
      await e.deploy(ns, `id: invoker
states:
- id: call
  type: action
  action:
    workflow: echo
`);
      const d = await e.run(ns, 'invoker', {});
      const [child] = await childrenOf(e, d.id);
      expect(child!.invokedBy).toMatchObject({ kind: 'subflow', parent: d.id });
      const lines = await e.logLines(child!.id);
      expect(lines[0]).toContain(d.id);
    });

    it('executing a missing, disabled or scheduled workflow is refused without an instance', async () => {
      await expect(start(e, ns, 'nope-missing', {})).rejects.toMatchObject({ status: 404 });
      await e.deploy(ns, wf.echo('off'));
      await e.t.db.tx((q) => workflows.changeSettings(q, ns, 'off', { active: false }));
      await expect(start(e, ns, 'off', {})).rejects.toBeInstanceOf(EngineRequestError);
      await expect(start(e, ns, 'off', {})).rejects.toMatchObject({ status: 409 });
      await e.deploy(ns, `id: cron-only
start:
  type: scheduled
  cron: '0 0 1 1 *'
states:
- id: a
  type: noop
`);
      await expect(start(e, ns, 'cron-only', {})).rejects.toMatchObject({ status: 409 });
      expect(await instancesOf(e, ns, 'off')).toEqual([]);
      expect(await instancesOf(e, ns, 'cron-only')).toEqual([]);
    });
  });

  describe('crashes and stale results', () => {
    it('an internal error crashes the instance with a generic message and stops its children', async () => {
      await e.deploy(ns, `id: will-crash
states:
- id: call
  type: action
  action:
    workflow: sleeper
  catch:
  - error: '*'
    transition: caught
- id: caught
  type: noop
`);
      const id = await start(e, ns, 'will-crash', {});
      const [child] = await waitChildren(e, id);
      // what the engine does when a child reports a crash (an error without a code)
      await e.engine.reportActionResult({
        instanceId: id,
        step: 1,
        branch: 0,
        actionId: child!.id,
        result: { crash: 'secret detail of the crash' },
      });
      const d = await waitEnd(e, id, 5_000);
      expect(d.status).toBe('crashed');
      expect(d.flow).toEqual(['call']);
      expect(d.errorMessage).not.toContain('secret detail');
      const c = await waitEnd(e, child!.id, 5_000);
      expect(c.status).toBe('cancelled');
    });

    it('a result for another action id or another step is ignored', async () => {
      await e.deploy(ns, `id: stale
states:
- id: call
  type: action
  action:
    workflow: sleeper
`);
      const id = await start(e, ns, 'stale', {});
      const [child] = await waitChildren(e, id);
      await e.engine.reportActionResult({ instanceId: id, step: 1, branch: 0, actionId: 'someone-else', result: { out: { x: 1 } } });
      await e.engine.reportActionResult({ instanceId: id, step: 7, branch: 0, actionId: child!.id, result: { out: { x: 2 } } });
      await e.engine.reportActionResult({ instanceId: id, step: 1, branch: 3, actionId: child!.id, result: { out: { x: 3 } } });
      await new Promise((r) => setTimeout(r, 500));
      expect((await e.engine.getInstance(id))!.status).toBe('pending');
      await e.engine.reportActionResult({ instanceId: id, step: 1, branch: 0, actionId: child!.id, result: { out: { x: 4 } } });
      const d = await waitEnd(e, id, 5_000);
      expect(d.status).toBe('complete');
      expect(d.output).toEqual({ return: { x: 4 } });
      // the real child's own result, arriving later, changes nothing
      await e.engine.cancel(child!.id);
      await waitEnd(e, child!.id, 5_000);
      expect((await e.engine.getInstance(id))!.output).toEqual({ return: { x: 4 } });
    });
  });

  describe('input normalisation', () => {
    beforeAll(async () => {
      await e.deploy(ns, `id: echo-input
states:
- id: a
  type: noop
`);
    });
    const cases: [string, Buffer | undefined, unknown][] = [
      ['a JSON object is the data', Buffer.from('{"a":1,"b":{"c":[1]}}'), { a: 1, b: { c: [1] } }],
      ['an array becomes {input}', Buffer.from('[1,2]'), { input: [1, 2] }],
      ['a string becomes {input}', Buffer.from('"text"'), { input: 'text' }],
      ['a number becomes {input}', Buffer.from('42'), { input: 42 }],
      ['true becomes {input}', Buffer.from('true'), { input: true }],
      ['null becomes {input: null}', Buffer.from('null'), { input: null }],
      ['an empty body is {}', Buffer.alloc(0), {}],
      ['no body is {}', undefined, {}],
      ['JSON with white space around it', Buffer.from(' \n {"x": 1} \n'), { x: 1 }],
      ['bytes that are not JSON become base64', Buffer.from([0xff, 0x00, 0x41]), { input: Buffer.from([0xff, 0x00, 0x41]).toString('base64') }],
      ['text that is not JSON becomes base64', Buffer.from('hello'), { input: Buffer.from('hello').toString('base64') }],
    ];
    it.each(cases)('%s', async (_name, body, expected) => {
      const d = await e.run(ns, 'echo-input', body);
      expect(d.input).toEqual(expected);
      expect(d.output).toEqual(expected);
    });
  });

  describe('durability', () => {
    it('a delay survives a restart of the engine', async () => {
      await e.deploy(ns, `id: durable-delay
states:
- id: wait
  type: delay
  duration: PT0.6S
  transition: after
- id: after
  type: noop
  transform:
    woke: true
`);
      const id = await start(e, ns, 'durable-delay', {});
      const d = await withEngine(e, {}, (other) => other.waitForEnd(id, 10_000));
      expect(d?.status).toBe('complete');
      expect(d?.output).toEqual({ woke: true });
    });
  });

  describe('retention', () => {
    it('the sweep deletes finished instances older than the retention, with their logs and instance variables', async () => {
      const rns = freshNs('ret');
      await e.deploy(rns, `id: keeps-vars
states:
- id: set
  type: setter
  variables:
  - key: mine
    value: 1
  - key: shared
    scope: workflow
    value: 2
`);
      await e.deploy(rns, wf.sleep('long', 'PT30S'));
      const done = await e.run(rns, 'keeps-vars', {});
      const pending = await start(e, rns, 'long', {});
      expect(await e.logLines(done.id)).not.toEqual([]);
      const instVar = { namespace: rns, scope: 'instance' as const, owner: done.id, key: 'mine' };
      expect(await variables.getValue(e.t.db, instVar)).not.toBeNull();

      // Not yet old enough for a retention of one hour.
      const hour = new Retention({ ...e.engine.deps, settings: { ...e.engine.deps.settings, retentionMs: 3_600_000 } });
      await hour.sweep();
      expect(await e.engine.getInstance(done.id)).not.toBeNull();

      await new Promise((r) => setTimeout(r, 50));
      const zero = new Retention({ ...e.engine.deps, settings: { ...e.engine.deps.settings, retentionMs: 1 } });
      expect(await zero.sweep()).toBeGreaterThanOrEqual(1);
      expect(await e.engine.getInstance(done.id)).toBeNull();
      expect(await e.logLines(done.id)).toEqual([]);
      expect(await variables.getValue(e.t.db, instVar)).toBeNull();
      // pending instances and workflow variables stay
      expect((await e.engine.getInstance(pending))!.status).toBe('pending');
      const wfRef = (await e.engine.deps.workflows.find(e.t.db, rns, 'keeps-vars'))!;
      expect(
        await variables.getValue(e.t.db, { namespace: rns, scope: 'workflow', owner: wfRef.uid, key: 'shared' }),
      ).not.toBeNull();
      await e.engine.cancel(pending);
    });
  });
});
