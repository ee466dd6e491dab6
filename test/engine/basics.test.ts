import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

const example = (name: string) => readFileSync(new URL(`../../../shared/examples/${name}`, import.meta.url), 'utf8');

describe.each(BACKENDS)('engine basics on %s', (backend) => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('runs the noop example to completion', async () => {
    await e.deploy('demo', example('v03-tpl-noop.yaml'));
    const done = await e.run('demo', 'noop');
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ result: 'Hello world!' });
    expect(done.flow).toEqual(['helloworld']);
    const lines = await e.logLines(done.id);
    expect(lines[0]).toBe('Beginning workflow triggered by API.');
    expect(lines).toContain('Running state logic -- helloworld:1 (noop)');
    expect(lines.at(-1)).toBe('Workflow completed.');
  });

  it('runs the transitioner chain', async () => {
    await e.deploy('demo', example('v04-transitioner-jq.yaml'));
    const done = await e.run('demo', 'transitioner');
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ k1: 'v1' });
    expect(done.flow).toEqual(['a', 'b', 'c', 'd']);
  });

  it('switch picks the first truthy condition', async () => {
    await e.deploy('demo', example('v03-tpl-switch.yaml'));
    const done = await e.run('demo', 'switch');
    expect(done.output).toMatchObject({ result: 'You are older than 18.' });
  });

  it('validate with catch, and the error state fails the instance', async () => {
    await e.deploy('demo', example('v03-tpl-validate.yaml'));
    expect((await e.run('demo', 'validate')).output).toMatchObject({ result: 'Email is valid.' });
    await e.deploy('demo', example('v03-tpl-error.yaml'));
    const failed = await e.run('demo', 'error');
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('direktiv.schema.*');
    expect(failed.flow).toEqual(['data', 'validate-email', 'email-not-valid']);
  });

  it('getter and setter keep a workflow-scoped counter', async () => {
    await e.deploy('demo', example('v04-counter-getter-setter.yaml'));
    await e.run('demo', 'counter');
    await e.run('demo', 'counter');
    await e.deploy('demo', `id: read-counter
states:
- id: a
  type: noop
  transform: {}
`);
    const c = await e.run('demo', 'counter');
    expect(c.status).toBe('complete');
    expect(c.output).toMatchObject({ var: { x: 3 } });
  });

  it('delay sleeps durably and wakes', async () => {
    await e.deploy('demo', `id: sleepy
states:
- id: a
  type: delay
  duration: PT0.3S
  transition: b
- id: b
  type: noop
  transform: 'jq({woke: true})'
`);
    const t0 = Date.now();
    const done = await e.run('demo', 'sleepy');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(done.output).toEqual({ woke: true });
  });

  it('normalises non-object input', async () => {
    await e.deploy('demo', `id: echo
states:
- id: a
  type: noop
`);
    expect((await e.run('demo', 'echo', [1, 2])).output).toEqual({ input: [1, 2] });
    expect((await e.run('demo', 'echo', Buffer.from('not json'))).output).toEqual({
      input: Buffer.from('not json').toString('base64'),
    });
  });

  it('keeps the key order jq produced in the stored output', async () => {
    await e.deploy('demo', `id: order
states:
- id: a
  type: noop
  transform: 'jq({zeta: 1, b: 2, a_much_longer_key: 3, a: 4})'
`);
    const done = await e.run('demo', 'order');
    expect(JSON.stringify(done.output)).toBe('{"zeta":1,"b":2,"a_much_longer_key":3,"a":4}');
  });

  it('an idle engine waits for work instead of polling in a loop', async () => {
    let queries = 0;
    const db = e.t.db;
    const original = db.query.bind(db);
    (db as { query: typeof db.query }).query = (text, params) => {
      queries++;
      return original(text, params);
    };
    try {
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      (db as { query: typeof db.query }).query = original;
    }
    // pollMs is 200 in the test engine: a few polls, never hundreds.
    expect(queries).toBeLessThan(20);
  });

  it('an instance that ends in its first transaction leaves no timers behind', async () => {
    await e.deploy('demo', example('v03-tpl-noop.yaml'));
    const done = await e.run('demo', 'noop');
    const left = await e.t.db.query('SELECT kind FROM work WHERE instance_id = $1', [done.id]);
    expect(left.rows).toEqual([]);
  });
});
