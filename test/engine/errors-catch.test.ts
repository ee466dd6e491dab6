/**
 * Errors and catch (language reference §7): catch entries are tried in order, `error` is a
 * glob over the code, a match transitions (none → the instance ends successfully with `.error`),
 * no match fails the instance with that code and message; uncatchable errors ignore catch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { childrenOf, freshNs, wf } from './helpers.js';

/** A workflow whose first state calls a child failing with `code`, with the given catch list. */
const catcher = (id: string, child: string, catches: [string, string | undefined][]) => `id: ${id}
states:
- id: call
  type: action
  action:
    workflow: ${child}
${catches.length > 0 ? '  catch:\n' : ''}${catches
  .map(([g, t]) => `  - error: '${g}'\n${t ? `    transition: ${t}\n` : ''}`)
  .join('')}- id: h0
  type: noop
  transform: 'jq(. + {handler: 0})'
- id: h1
  type: noop
  transform: 'jq(. + {handler: 1})'
- id: h2
  type: noop
  transform: 'jq(. + {handler: 2})'
`;

describe.each(BACKENDS)('errors and catch on %s', (backend) => {
  let e: TestEngine;
  let globs = 0;
  const ns = freshNs('err');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, wf.fail('fail-schema', 'direktiv.schema.failed', 'schema says no'));
    await e.deploy(ns, wf.fail('fail-app', 'app.thing.broke', 'it broke'));
  });
  afterAll(async () => {
    await e.stop();
  });

  it.each([
    ['*', 'app.thing.broke', true],
    ['app.*', 'app.thing.broke', true],
    ['app.thing.*', 'app.thing.broke', true],
    ['*.broke', 'app.thing.broke', true],
    ['app.*.broke', 'app.thing.broke', true],
    ['app.thing.broke', 'app.thing.broke', true],
    ['.*', 'app.thing.broke', true],
    ['app', 'app.thing.broke', false],
    ['thing', 'app.thing.broke', false],
    ['app.thing', 'app.thing.broke', false],
    ['direktiv.*', 'app.thing.broke', false],
    ['app.thing.broke.more', 'app.thing.broke', false],
    ['direktiv.*', 'direktiv.schema.failed', true],
    ['direktiv.schema.*', 'direktiv.schema.failed', true],
    ['direktiv.schema', 'direktiv.schema.failed', false],
    ['direktiv.jq.*', 'direktiv.schema.failed', false],
    // globs are not regular expressions: the dot is a dot
    ['direktiv.schema.faile.', 'direktiv.schema.failed', false],
    ['direktiv?schema.failed', 'direktiv.schema.failed', false],
  ])('glob %s against %s → %s', async (glob, code, matches) => {
    const child = code === 'app.thing.broke' ? 'fail-app' : 'fail-schema';
    globs += 1;
    const id = `glob-${globs}`;
    await e.deploy(ns, catcher(id, child, [[glob, 'h0']]));
    const d = await e.run(ns, id, {});
    if (matches) {
      expect(d.status).toBe('complete');
      expect(d.flow).toEqual(['call', 'h0']);
      expect(d.output).toMatchObject({ error: { code }, handler: 0 });
    } else {
      expect(d.status).toBe('failed');
      expect(d.errorCode).toBe(code);
      expect(d.flow).toEqual(['call']);
    }
  });

  it('catch entries are tried in order: the first match wins', async () => {
    await e.deploy(ns, catcher('order', 'fail-app', [['other.*', 'h0'], ['app.*', 'h1'], ['*', 'h2']]));
    const d = await e.run(ns, 'order', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'h1']);
    expect(d.output).toEqual({ error: { code: 'app.thing.broke', msg: 'it broke' }, handler: 1 });
  });

  it('a match without a transition ends the instance successfully with .error in the data', async () => {
    await e.deploy(ns, catcher('end-ok', 'fail-app', [['app.*', undefined]]));
    const d = await e.run(ns, 'end-ok', { keep: 1 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call']);
    expect(d.errorCode).toBeNull();
    expect(d.output).toEqual({ keep: 1, error: { code: 'app.thing.broke', msg: 'it broke' } });
  });

  it("no match fails the instance with the error's code and message", async () => {
    await e.deploy(ns, catcher('no-match', 'fail-app', [['nope.*', 'h0']]));
    const d = await e.run(ns, 'no-match', {});
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('app.thing.broke');
    expect(d.errorMessage).toBe('it broke');
    expect(d.flow).toEqual(['call']);
  });

  it("the state's transform is not applied when an error is caught", async () => {
    await e.deploy(ns, `id: no-transform
states:
- id: call
  type: action
  action:
    workflow: fail-app
  transform: 'jq({transformed: true})'
  catch:
  - error: '*'
    transition: after
- id: after
  type: noop
`);
    const d = await e.run(ns, 'no-transform', { x: 1 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ x: 1, error: { code: 'app.thing.broke', msg: 'it broke' } });
  });

  it('.error is replaced by a later caught error', async () => {
    await e.deploy(ns, `id: two-errors
states:
- id: one
  type: action
  action:
    workflow: fail-app
  catch:
  - error: '*'
    transition: two
- id: two
  type: action
  action:
    workflow: fail-schema
  catch:
  - error: '*'
`);
    const d = await e.run(ns, 'two-errors', {});
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ error: { code: 'direktiv.schema.failed', msg: 'schema says no' } });
  });

  it('catch works on every state type that can fail (validate, noop transform, switch, setter)', async () => {
    await e.deploy(ns, `id: many-catches
states:
- id: v
  type: validate
  schema:
    type: object
    required: [missing]
  catch:
  - error: direktiv.schema.failed
    transition: n
- id: n
  type: noop
  transform: 'jq(error("in noop"))'
  catch:
  - error: direktiv.jq.*
    transition: s
- id: s
  type: setter
  variables:
  - key: k
    value: 'jq(.a.b.c)'
  catch:
  - error: direktiv.jq.*
    transition: done
- id: done
  type: noop
  transform: 'jq({last: .error.code})'
`);
    const d = await e.run(ns, 'many-catches', { a: 5 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['v', 'n', 's', 'done']);
    expect(d.output).toEqual({ last: 'direktiv.jq.badCommand' });
  });

  it('a catch can lead into a loop that ends when the error goes away', async () => {
    await e.deploy(ns, `id: catch-loop
states:
- id: check
  type: validate
  schema:
    type: object
    properties:
      n:
        minimum: 3
  catch:
  - error: direktiv.schema.*
    transition: inc
- id: inc
  type: noop
  transform: 'jq({n: (.n + 1)})'
  transition: check
`);
    const d = await e.run(ns, 'catch-loop', { n: 0 });
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ n: 3 });
    expect(d.flow).toEqual(['check', 'inc', 'check', 'inc', 'check', 'inc', 'check']);
  });

  it('an uncatchable error (direktiv.secrets.notFound) ignores catch and fails the instance at once', async () => {
    await e.deploy(ns, wf.echo('secret-child'));
    await e.deploy(ns, `id: uncatchable-secret
states:
- id: call
  type: action
  action:
    workflow: secret-child
    secrets: [missing]
  catch:
  - error: '*'
    transition: caught
- id: caught
  type: noop
`);
    const d = await e.run(ns, 'uncatchable-secret', {});
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.secrets.notFound');
    expect(d.flow).toEqual(['call']);
    expect(await childrenOf(e, d.id)).toEqual([]);
  });

  it('an uncatchable error of a child is catchable in its parent', async () => {
    await e.deploy(ns, wf.echo('secret-child'));
    await e.deploy(ns, `id: mid-secret
states:
- id: call
  type: action
  action:
    workflow: secret-child
    secrets: [missing]
  catch:
  - error: '*'
    transition: caught
- id: caught
  type: noop
`);
    await e.deploy(ns, `id: top-secret
states:
- id: call
  type: action
  action:
    workflow: mid-secret
  catch:
  - error: direktiv.secrets.notFound
    transition: caught
- id: caught
  type: noop
`);
    const d = await e.run(ns, 'top-secret', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['call', 'caught']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.secrets.notFound' } });
    const [mid] = await childrenOf(e, d.id);
    expect(mid!.status).toBe('failed');
    expect(mid!.errorCode).toBe('direktiv.secrets.notFound');
    expect(mid!.flow).toEqual(['call']);
  });

  it('an error that is not caught is logged with its code', async () => {
    const d = await e.run(ns, 'no-match', {});
    const lines = await e.logLines(d.id);
    expect(lines.some((l) => l.includes('app.thing.broke'))).toBe(true);
  });
});
