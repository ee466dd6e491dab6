/**
 * Action retries (language reference §7): an action error whose code matches `codes` is
 * retried, only the action is re-sent; `max_attempts` counts retries after the first call; the
 * wait before retry n is `delay × multiplier^(n-1)`; exhausted retries become the catchable
 * direktiv.retries.exceeded; retries are durable. Function actions fail with the catchable
 * direktiv.function.unavailable (no action service yet), which goes through retries and catch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs, start, waitUntil, withEngine } from './helpers.js';

/**
 * A child that fails (code app.flaky) on its first `.failures` calls, counted in a workflow
 * variable, and then completes with `{calls: n}`.
 */
const flaky = (id: string) => `id: ${id}
states:
- id: get
  type: getter
  variables:
  - key: calls
    scope: workflow
  transform: 'jq(. + {n: ((.var.calls // 0) + 1)})'
  transition: set
- id: set
  type: setter
  variables:
  - key: calls
    scope: workflow
    value: 'jq(.n)'
  transition: check
- id: check
  type: switch
  conditions:
  - condition: 'jq(.n <= (.failures // 0))'
    transition: fail
  defaultTransform: 'jq({calls: .n})'
- id: fail
  type: error
  error: app.flaky
  message: 'call jq(.n) fails'
`;

const retrying = (id: string, child: string, retries: string, extra = '') => `id: ${id}
states:
- id: call
  type: action
  log: entering call
  action:
    workflow: ${child}
    retries:
${retries
  .trim()
  .split('\n')
  .map((l) => `      ${l.trim()}`)
  .join('\n')}
${extra}`;

describe.each(BACKENDS)('action retries on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('rt');
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('retries a matching error until the action succeeds; only the action is re-sent', async () => {
    await e.deploy(ns, flaky('flaky-ok'));
    await e.deploy(
      ns,
      retrying(
        'retry-ok',
        'flaky-ok',
        `max_attempts: 3
         delay: PT0.1S
         codes: [app.*]`,
      ),
    );
    const d = await e.run(ns, 'retry-ok', { failures: 2 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ failures: 2, return: { calls: 3 } });
    // The state was entered once: the retries re-send the action only.
    expect(d.flow).toEqual(['call']);
    const lines = await e.logLines(d.id);
    expect(lines.filter((l) => l === 'entering call')).toHaveLength(1);
    const kids = await childrenOf(e, d.id);
    expect(kids.map((k) => k.status)).toEqual(['failed', 'failed', 'complete']);
    expect(kids.map((k) => k.errorCode)).toEqual(['app.flaky', 'app.flaky', null]);
  });

  it('max_attempts counts the retries after the first call; exhausted → direktiv.retries.exceeded (catchable)', async () => {
    await e.deploy(ns, flaky('flaky-never'));
    await e.deploy(
      ns,
      retrying(
        'retry-exceeded',
        'flaky-never',
        `max_attempts: 2
         delay: PT0.1S
         codes: ['*']`,
        `  catch:
  - error: direktiv.retries.exceeded
    transition: handled
- id: handled
  type: noop
`,
      ),
    );
    const d = await e.run(ns, 'retry-exceeded', { failures: 100 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.retries.exceeded' } });
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    expect(kids.every((k) => k.status === 'failed' && k.errorCode === 'app.flaky')).toBe(true);
  });

  it('uncaught exhausted retries fail the instance with direktiv.retries.exceeded', async () => {
    await e.deploy(ns, flaky('flaky-never2'));
    await e.deploy(
      ns,
      retrying(
        'retry-uncaught',
        'flaky-never2',
        `maxAttempts: 1
         delay: PT0.1S
         codes: [app.flaky]`,
      ),
    );
    const d = await e.run(ns, 'retry-uncaught', { failures: 100 });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.retries.exceeded');
    expect(await childrenOf(e, d.id)).toHaveLength(2);
  });

  it('an error whose code matches no pattern is not retried', async () => {
    await e.deploy(ns, flaky('flaky-nomatch'));
    await e.deploy(
      ns,
      retrying(
        'retry-nomatch',
        'flaky-nomatch',
        `max_attempts: 3
         delay: PT0.1S
         codes: [other.*, direktiv.*]`,
      ),
    );
    const d = await e.run(ns, 'retry-nomatch', { failures: 100 });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.flaky');
    expect(d.errorMessage).toBe('call 1 fails');
    expect(await childrenOf(e, d.id)).toHaveLength(1);
  });

  it('waits delay × multiplier^(n-1) before retry n', async () => {
    await e.deploy(ns, flaky('flaky-timing'));
    await e.deploy(
      ns,
      retrying(
        'retry-timing',
        'flaky-timing',
        `max_attempts: 2
         delay: PT0.2S
         multiplier: 3
         codes: [app.flaky]`,
      ),
    );
    const d = await e.run(ns, 'retry-timing', { failures: 100 });
    expect(d.errorCode).toBe('direktiv.retries.exceeded');
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    const gap = (i: number) => Date.parse(kids[i + 1]!.beginTime) - Date.parse(kids[i]!.endTime!);
    // retry 1 waits the delay itself (0.2 s), not delay × multiplier (0.6 s)
    expect(gap(0)).toBeGreaterThanOrEqual(190);
    expect(gap(0)).toBeLessThan(600);
    // retry 2 waits delay × multiplier (0.6 s)
    expect(gap(1)).toBeGreaterThanOrEqual(590);
  });

  it('the default multiplier is 1', async () => {
    await e.deploy(ns, flaky('flaky-mult1'));
    await e.deploy(
      ns,
      retrying(
        'retry-mult1',
        'flaky-mult1',
        `max_attempts: 2
         delay: PT0.3S
         codes: [app.flaky]`,
      ),
    );
    const d = await e.run(ns, 'retry-mult1', { failures: 100 });
    const kids = await childrenOf(e, d.id);
    expect(kids).toHaveLength(3);
    for (const i of [0, 1]) {
      const g = Date.parse(kids[i + 1]!.beginTime) - Date.parse(kids[i]!.endTime!);
      expect(g).toBeGreaterThanOrEqual(290);
      expect(g).toBeLessThan(900);
    }
  });

  it('retries apply per item in a foreach', async () => {
    await e.deploy(ns, flaky('flaky-foreach'));
    await e.deploy(ns, `id: retry-foreach
states:
- id: each
  type: foreach
  array: 'jq(.items[])'
  concurrency: 1
  action:
    workflow: flaky-foreach
    retries:
      max_attempts: 2
      delay: PT0.1S
      codes: [app.flaky]
`);
    // item 1 fails once (call 1) and succeeds on its retry (call 2); item 2 succeeds at once (call 3)
    const d = await e.run(ns, 'retry-foreach', { items: [{ failures: 1 }, { failures: 1 }] });
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ return: [{ calls: 2 }, { calls: 3 }] });
    expect(await childrenOf(e, d.id)).toHaveLength(3);
  });

  it('retries apply per action in a parallel state', async () => {
    await e.deploy(ns, flaky('flaky-par-a'));
    await e.deploy(ns, flaky('flaky-par-b'));
    await e.deploy(ns, `id: retry-parallel
states:
- id: both
  type: parallel
  actions:
  - workflow: flaky-par-a
    input: 'jq({failures: 1})'
    retries:
      max_attempts: 1
      delay: PT0.1S
      codes: ['*']
  - workflow: flaky-par-b
    input: 'jq({failures: 2})'
    retries:
      max_attempts: 3
      delay: PT0.1S
      codes: ['*']
`);
    const d = await e.run(ns, 'retry-parallel', {});
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ return: [{ calls: 2 }, { calls: 3 }] });
    expect(await childrenOf(e, d.id)).toHaveLength(5);
  });

  it('a function action fails with the catchable direktiv.function.unavailable', async () => {
    await e.deploy(ns, `id: fn-unavailable
functions:
- id: get
  image: vorteil/request:v10
states:
- id: call
  type: action
  action:
    function: get
    input: 'jq({url: "http://example.com"})'
  catch:
  - error: direktiv.function.unavailable
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'fn-unavailable', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.function.unavailable' } });

    await e.deploy(ns, `id: fn-unavailable-uncaught
functions:
- id: get
  image: vorteil/request:v10
  type: isolated
states:
- id: call
  type: action
  action:
    function: get
`);
    const u = await e.run(ns, 'fn-unavailable-uncaught', {});
    expect(u.status).toBe('failed');
    expect(u.errorCode).toBe('direktiv.function.unavailable');
  });

  it('an async function action fails at once with the catchable direktiv.function.unavailable', async () => {
    await e.deploy(ns, `id: fn-async
functions:
- id: get
  image: vorteil/request:v10
states:
- id: call
  type: action
  async: true
  action:
    function: get
  transition: next
  catch:
  - error: direktiv.function.unavailable
    transition: handled
- id: next
  type: noop
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'fn-async', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
  });

  it('direktiv.function.unavailable goes through retries, then direktiv.retries.exceeded', async () => {
    await e.deploy(ns, `id: fn-retries
functions:
- id: get
  image: vorteil/request:v10
states:
- id: call
  type: action
  action:
    function: get
    retries:
      max_attempts: 2
      delay: PT0.1S
      codes: [direktiv.function.*]
  catch:
  - error: direktiv.retries.exceeded
    transition: handled
- id: handled
  type: noop
`);
    const t0 = Date.now();
    const d = await e.run(ns, 'fn-retries', {});
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.retries.exceeded' } });
    const lines = await e.logLines(d.id);
    expect(lines.filter((l) => l.includes('direktiv.function.unavailable')).length).toBeGreaterThanOrEqual(3);
  });

  it('function actions in foreach and parallel fail the state with direktiv.function.unavailable', async () => {
    await e.deploy(ns, `id: fn-in-foreach
functions:
- id: get
  image: vorteil/request:v10
states:
- id: each
  type: foreach
  array: 'jq([1, 2])'
  action:
    function: get
  catch:
  - error: direktiv.function.*
    transition: handled
- id: handled
  type: parallel
  actions:
  - function: get
  - function: get
`);
    const d = await e.run(ns, 'fn-in-foreach', {});
    expect(d.flow).toEqual(['each', 'handled']);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.function.unavailable');
  });

  it('retries are durable: a retry scheduled before the engine stops runs on another engine', async () => {
    await e.deploy(ns, flaky('flaky-durable'));
    await e.deploy(
      ns,
      retrying(
        'retry-durable',
        'flaky-durable',
        `max_attempts: 1
         delay: PT0.6S
         codes: [app.flaky]`,
      ),
    );
    const id = await start(e, ns, 'retry-durable', { failures: 1 });
    await waitUntil(async () => (await childrenOf(e, id)).some((k) => k.status === 'failed'), 10_000, 'first call to fail');
    const d = await withEngine(e, {}, (other) => other.waitForEnd(id, 20_000));
    expect(d?.status).toBe('complete');
    expect(d?.output).toMatchObject({ return: { calls: 2 } });
  });
});
