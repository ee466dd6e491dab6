/**
 * Instance data and jq templates (language reference §5): transforms replace the data, the
 * template forms (exactly `jq(...)`, interpolation, maps and lists rebuilt, literals), the fixed
 * result keys `.return`, `.error`, `.var`, and the catchable jq errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import type { SecretsProvider } from '../../src/engine/index.js';
import { Codes, WorkflowError } from '../../src/language/index.js';
import { freshNs, wf, withEngine } from './helpers.js';

describe.each(BACKENDS)('transforms and jq templates on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('tr');
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('a transform replaces the data with its object', async () => {
    await e.deploy(ns, `id: replace
states:
- id: a
  type: noop
  transform: 'jq({only: .x})'
`);
    const d = await e.run(ns, 'replace', { x: 1, y: 2 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ only: 1 });
    expect(d.input).toEqual({ x: 1, y: 2 });
  });

  it('a map transform is rebuilt element by element, with literals kept', async () => {
    await e.deploy(ns, `id: maps
states:
- id: a
  type: noop
  transform:
    a: 'jq(.x)'
    b: [1, 'jq(.y)', {c: 'jq(.x + 1)'}]
    lit: plain text
    num: 7
    bool: true
    nul: null
    whole: 'jq(.)'
`);
    const d = await e.run(ns, 'maps', { x: 1, y: 'two' });
    expect(d.output).toEqual({
      a: 1,
      b: [1, 'two', { c: 2 }],
      lit: 'plain text',
      num: 7,
      bool: true,
      nul: null,
      whole: { x: 1, y: 'two' },
    });
  });

  it('interpolates jq(...) inside strings: strings verbatim, other values as JSON', async () => {
    await e.deploy(ns, `id: interp
states:
- id: a
  type: noop
  transform:
    s: 'Hello jq(.name)!'
    many: 'n=jq(.n) o=jq(.o) a=jq(.a) b=jq(.b) z=jq(.z)'
    exact: 'jq(.o)'
`);
    const d = await e.run(ns, 'interp', { name: 'world', n: 1.5, o: { k: 'v' }, a: [1, 2], b: true, z: null });
    expect(d.output).toEqual({
      s: 'Hello world!',
      many: 'n=1.5 o={"k":"v"} a=[1,2] b=true z=null',
      exact: { k: 'v' },
    });
  });

  it('parentheses nest inside jq(...) and quotes inside jq strings are respected', async () => {
    await e.deploy(ns, `id: parens
states:
- id: a
  type: noop
  transform:
    n: 'jq((.a + (.b * 2)))'
    s: 'jq(.s + ")(" + "x")'
    t: 'pre jq("a)b") post'
`);
    const d = await e.run(ns, 'parens', { a: 1, b: 3, s: 'q' });
    expect(d.output).toEqual({ n: 7, s: 'q)(x', t: 'pre a)b post' });
  });

  it('transforms chain across states, each applied when its state finishes', async () => {
    await e.deploy(ns, `id: chain
states:
- id: a
  type: noop
  transform: 'jq({n: (.n + 1)})'
  transition: b
- id: b
  type: noop
  transform: 'jq({n: (.n * 10)})'
  transition: c
- id: c
  type: noop
`);
    const d = await e.run(ns, 'chain', { n: 1 });
    expect(d.output).toEqual({ n: 20 });
    expect(d.flow).toEqual(['a', 'b', 'c']);
  });

  it('real jq: reduce, @base64, regex, paths, $__loc__', async () => {
    await e.deploy(ns, `id: realjq
states:
- id: a
  type: noop
  transform:
    sum: 'jq(reduce .xs[] as $x (0; . + $x))'
    b64: 'jq(.s | @base64)'
    re: 'jq(.s | test("^h.l"))'
    paths: 'jq([paths] | length)'
    loc: 'jq($__loc__.line)'
    tried: 'jq(try error("x") catch .)'
`);
    const d = await e.run(ns, 'realjq', { xs: [1, 2, 3], s: 'hello' });
    expect(d.output).toEqual({ sum: 6, b64: 'aGVsbG8=', re: true, paths: 5, loc: 1, tried: 'x' });
  });

  it('a transform that does not yield an object fails with the catchable direktiv.jq.notObject', async () => {
    await e.deploy(ns, `id: notobj
states:
- id: a
  type: noop
  transform: 'jq(.xs)'
`);
    const d = await e.run(ns, 'notobj', { xs: [1] });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.jq.notObject');

    await e.deploy(ns, `id: notobj-caught
states:
- id: a
  type: noop
  transform: 'jq(.xs[])'
  catch:
  - error: direktiv.jq.notObject
    transition: handled
- id: handled
  type: noop
  transform: 'jq({code: .error.code, xs: .xs})'
`);
    const c = await e.run(ns, 'notobj-caught', { xs: [{ a: 1 }, { a: 2 }] });
    expect(c.status).toBe('complete');
    expect(c.output).toEqual({ code: 'direktiv.jq.notObject', xs: [{ a: 1 }, { a: 2 }] });
  });

  it('several results where one is needed fail with direktiv.jq.notObject', async () => {
    await e.deploy(ns, `id: several
states:
- id: a
  type: noop
  transform:
    v: 'jq(.xs[])'
`);
    const d = await e.run(ns, 'several', { xs: [1, 2] });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.jq.notObject');
  });

  it('a jq runtime error is the catchable direktiv.jq.badCommand', async () => {
    await e.deploy(ns, `id: badcmd
states:
- id: a
  type: noop
  transform: 'jq({v: (.n | error("boom"))})'
  catch:
  - error: direktiv.jq.*
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'badcmd', { n: 1 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['a', 'handled']);
    expect(d.output).toMatchObject({ n: 1, error: { code: 'direktiv.jq.badCommand' } });
    expect(typeof (d.output as { error: { msg: unknown } }).error.msg).toBe('string');

    await e.deploy(ns, `id: badcmd2
states:
- id: a
  type: noop
  transform: 'jq({v: (.n.x)})'
`);
    const u = await e.run(ns, 'badcmd2', { n: 1 });
    expect(u.status).toBe('failed');
    expect(u.errorCode).toBe('direktiv.jq.badCommand');
  });

  it('.return holds an action result and is replaced by the next one', async () => {
    await e.deploy(ns, wf.echo('ret-child'));
    await e.deploy(ns, `id: ret
states:
- id: a
  type: action
  action:
    workflow: ret-child
    input: 'jq({n: .n})'
  transition: b
- id: b
  type: noop
  transform: 'jq(. + {first: .return})'
  transition: c
- id: c
  type: action
  action:
    workflow: ret-child
    input: 'jq({n: (.n + 1)})'
  transform: 'jq({first: .first, second: .return})'
`);
    const d = await e.run(ns, 'ret', { n: 1 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ first: { n: 1, done: 'ret-child' }, second: { n: 2, done: 'ret-child' } });
  });

  it('a transform on a state sees the result key the state set (.return, .var)', async () => {
    await e.deploy(ns, `id: getter-transform
states:
- id: a
  type: setter
  variables:
  - key: k
    value: 'jq(.v)'
  transition: b
- id: b
  type: getter
  variables:
  - key: k
  transform: 'jq({got: .var.k})'
`);
    const d = await e.run(ns, 'getter-transform', { v: { deep: [1] } });
    expect(d.output).toEqual({ got: { deep: [1] } });
  });

  it('.secrets holds requested secrets during action input evaluation only', async () => {
    await e.deploy(ns, wf.echo('secret-echo'));
    await e.deploy(ns, `id: uses-secrets
states:
- id: call
  type: action
  action:
    workflow: secret-echo
    secrets: [token]
    input:
      auth: 'bearer jq(.secrets.token)'
      user: 'jq(.user)'
  transition: after
- id: after
  type: noop
  transform: 'jq(. + {hasSecrets: has("secrets")})'
`);
    const secrets: SecretsProvider = {
      resolve(_ns, names) {
        const known: Record<string, string> = { token: 's3cret' };
        const missing = names.find((n) => !(n in known));
        if (missing) return Promise.reject(new WorkflowError(Codes.secretsNotFound, `secret '${missing}' not found`, false));
        return Promise.resolve(Object.fromEntries(names.map((n) => [n, known[n]!])));
      },
    };
    const d = await withEngine(e, { secrets }, async (engine) => {
      const { instanceId } = await engine.execute({
        namespace: ns,
        workflow: 'uses-secrets',
        input: Buffer.from('{"user":"ann"}'),
        invokedBy: { kind: 'api' },
      });
      return engine.waitForEnd(instanceId, 10_000);
    });
    expect(d!.status).toBe('complete');
    // the child got what the user copied; the parent's data never held the secrets
    expect(d!.output).toEqual({
      user: 'ann',
      return: { auth: 'bearer s3cret', user: 'ann', done: 'secret-echo' },
      hasSecrets: false,
    });
    const stored = await e.t.db.query<{ data: unknown }>('SELECT data FROM instances WHERE id = $1', [d!.id]);
    expect(JSON.stringify(stored.rows[0]!.data)).not.toContain('"secrets"');
  });

  it('log, condition, value and input templates accept any YAML value', async () => {
    await e.deploy(ns, `id: anyvalue
states:
- id: a
  type: switch
  conditions:
  - condition: true
    transition: b
    transform:
      lit: [1, 2]
- id: b
  type: noop
`);
    const d = await e.run(ns, 'anyvalue', {});
    expect(d.output).toEqual({ lit: [1, 2] });
    expect(d.flow).toEqual(['a', 'b']);
  });
});

describe.each(BACKENDS)('jq limits on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('lim');
  beforeAll(async () => {
    e = await startTestEngine(backend, { jqTimeoutMs: 200 });
  });
  afterAll(async () => {
    await e.stop();
  });

  it('an evaluation past the time limit is the catchable direktiv.jq.timeout', async () => {
    await e.deploy(ns, `id: slow
states:
- id: a
  type: noop
  transform: 'jq({v: ([limit(100000000000; repeat(1))] | length)})'
  catch:
  - error: direktiv.jq.timeout
    transition: handled
- id: handled
  type: noop
`);
    const t0 = Date.now();
    const d = await e.run(ns, 'slow', {});
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['a', 'handled']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.jq.timeout' } });
  });

  it('an output past the size limit is the catchable direktiv.limits.size', async () => {
    await e.deploy(ns, `id: big
states:
- id: a
  type: noop
  transform: 'jq({v: ("x" * 100000000)})'
  catch:
  - error: direktiv.limits.size
    transition: handled
- id: handled
  type: noop
`);
    const d = await e.run(ns, 'big', {});
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ error: { code: 'direktiv.limits.size' } });
  });
});
