/**
 * The `error` state (language reference §6, §7): it records an error that fails the instance
 * when it ends, may transition to clean-up states first, does not throw (its own catch never
 * sees it), fills `message` printf-style from `args` or as a jq template; a second error state
 * raises direktiv.workflow.multipleErrors; a parent sees the recorded code and message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs } from './helpers.js';

describe.each(BACKENDS)('the error state on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('es');
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('fails the instance with its code and message', async () => {
    await e.deploy(ns, `id: plain
states:
- id: boom
  type: error
  error: app.boom
  message: 'something went wrong'
`);
    const d = await e.run(ns, 'plain', { x: 1 });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.boom');
    expect(d.errorMessage).toBe('something went wrong');
    expect(d.flow).toEqual(['boom']);
    expect(d.endTime).not.toBeNull();
  });

  it('transitions to clean-up states, which run, and the instance still fails', async () => {
    await e.deploy(ns, `id: cleanup
states:
- id: boom
  type: error
  error: app.boom
  message: 'bad'
  transform: 'jq(. + {recorded: true})'
  transition: clean1
- id: clean1
  type: noop
  transform: 'jq(. + {clean1: true})'
  transition: clean2
- id: clean2
  type: setter
  variables:
  - key: cleaned
    scope: workflow
    value: 'jq(.recorded)'
  transition: clean3
- id: clean3
  type: delay
  duration: PT0.1S
`);
    const d = await e.run(ns, 'cleanup', {});
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.boom');
    expect(d.errorMessage).toBe('bad');
    expect(d.flow).toEqual(['boom', 'clean1', 'clean2', 'clean3']);
    // The clean-up states ran (their side effects are visible).
    const v = await e.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM variables WHERE key = 'cleaned'`);
    expect(v.rows[0]!.n).toBe(1);
    const lines = await e.logLines(d.id);
    expect(lines).toContain('Running state logic -- clean3:4 (delay)');
  });

  it('does not throw: its own catch never sees the error it records', async () => {
    await e.deploy(ns, `id: own-catch
states:
- id: boom
  type: error
  error: app.boom
  message: 'bad'
  catch:
  - error: '*'
    transition: caught
  transition: next
- id: next
  type: noop
- id: caught
  type: noop
`);
    const d = await e.run(ns, 'own-catch', {});
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.boom');
    expect(d.flow).toEqual(['boom', 'next']);
    expect(d.output ?? {}).not.toHaveProperty('error');
  });

  it('fills the message printf-style from jq args', async () => {
    await e.deploy(ns, `id: printf
states:
- id: boom
  type: error
  error: app.printf
  message: 'user %s has %d items (%v)'
  args:
  - 'jq(.name)'
  - 'jq(.items | length)'
  - 'jq(.flag)'
`);
    const d = await e.run(ns, 'printf', { name: 'ann', items: [1, 2, 3], flag: true });
    expect(d.status).toBe('failed');
    expect(d.errorMessage).toBe('user ann has 3 items (true)');
  });

  it('accepts a jq template as the message', async () => {
    await e.deploy(ns, `id: tpl-message
states:
- id: boom
  type: error
  error: app.tpl
  message: 'missing jq(.field) in jq(.obj)'
`);
    const d = await e.run(ns, 'tpl-message', { field: 'email', obj: { a: 1 } });
    expect(d.errorCode).toBe('app.tpl');
    expect(d.errorMessage).toBe('missing email in {"a":1}');
  });

  it('a second error state raises the catchable direktiv.workflow.multipleErrors', async () => {
    await e.deploy(ns, `id: twice
states:
- id: one
  type: error
  error: app.one
  message: 'first'
  transition: two
- id: two
  type: error
  error: app.two
  message: 'second'
`);
    const d = await e.run(ns, 'twice', {});
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.workflow.multipleErrors');
    expect(d.flow).toEqual(['one', 'two']);

    await e.deploy(ns, `id: twice-caught
states:
- id: one
  type: error
  error: app.one
  message: 'first'
  transition: two
- id: two
  type: error
  error: app.two
  message: 'second'
  catch:
  - error: direktiv.workflow.multipleErrors
    transition: handler
- id: handler
  type: noop
  transform: 'jq({caught: .error.code})'
`);
    const c = await e.run(ns, 'twice-caught', {});
    expect(c.flow).toEqual(['one', 'two', 'handler']);
    // The first recorded error still fails the instance when it ends.
    expect(c.status).toBe('failed');
    expect(c.errorCode).toBe('app.one');
    expect(c.errorMessage).toBe('first');
  });

  it('a later caught error does not clear the recorded one', async () => {
    await e.deploy(ns, `id: recorded-then-caught
states:
- id: boom
  type: error
  error: app.recorded
  message: 'recorded'
  transition: bad
- id: bad
  type: noop
  transform: 'jq(error("x"))'
  catch:
  - error: '*'
    transition: end
- id: end
  type: noop
`);
    const d = await e.run(ns, 'recorded-then-caught', {});
    expect(d.flow).toEqual(['boom', 'bad', 'end']);
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.recorded');
  });

  it('a parent receives the recorded code and message (after the child cleaned up)', async () => {
    await e.deploy(ns, `id: child-err
states:
- id: boom
  type: error
  error: app.child
  message: 'child says %s'
  args: ['jq(.who)']
  transition: tidy
- id: tidy
  type: noop
`);
    await e.deploy(ns, `id: parent-err
states:
- id: call
  type: action
  action:
    workflow: child-err
    input: 'jq({who: .who})'
  catch:
  - error: app.*
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'parent-err', { who: 'bob' });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'app.child', msg: 'child says bob' } });
    const [child] = await childrenOf(e, d.id);
    expect(child!.status).toBe('failed');
    expect(child!.flow).toEqual(['boom', 'tidy']);
  });

  it('the glob-looking code of the example is recorded verbatim', async () => {
    await e.deploy(ns, `id: glob-code
states:
- id: boom
  type: error
  error: direktiv.schema.*
  message: 'email is not valid'
`);
    const d = await e.run(ns, 'glob-code', {});
    expect(d.errorCode).toBe('direktiv.schema.*');
  });
});
