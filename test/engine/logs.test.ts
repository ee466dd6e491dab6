/**
 * Instance logs (language reference §5 `log`, §10): ordered lines with time, level and message;
 * the engine's own lines ("Running state logic -- a:1 (noop)", "Transitioning to next state:
 * b (2).", "Workflow completed."), and each `log:` result (strings as they are, other values as
 * JSON), written when the state runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { freshNs, logEntries, wf } from './helpers.js';

/** `expected` appear in `lines` in this order (other lines may come between). */
function expectInOrder(lines: string[], expected: string[]): void {
  let at = 0;
  for (const want of expected) {
    const i = lines.indexOf(want, at);
    if (i < 0) throw new Error(`log line ${JSON.stringify(want)} not found after line ${at} in:\n${lines.join('\n')}`);
    at = i + 1;
  }
}

describe.each(BACKENDS)('instance logs on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('log');
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  it("the engine's own lines, in order", async () => {
    await e.deploy(ns, `id: chain
states:
- id: a
  type: noop
  transition: b
- id: b
  type: delay
  duration: PT0.1S
  transition: c
- id: c
  type: switch
  conditions:
  - condition: true
    transition: d
- id: d
  type: noop
`);
    const d = await e.run(ns, 'chain', {});
    const lines = await e.logLines(d.id);
    expect(lines[0]).toBe('Beginning workflow triggered by API.');
    expectInOrder(lines, [
      'Beginning workflow triggered by API.',
      'Running state logic -- a:1 (noop)',
      'Transitioning to next state: b (2).',
      'Running state logic -- b:2 (delay)',
      'Transitioning to next state: c (3).',
      'Running state logic -- c:3 (switch)',
      'Transitioning to next state: d (4).',
      'Running state logic -- d:4 (noop)',
      'Workflow completed.',
    ]);
    expect(lines.at(-1)).toBe('Workflow completed.');
  });

  it('lines are ordered, timed and levelled', async () => {
    await e.deploy(ns, `id: levels
states:
- id: a
  type: noop
  log: first
  transition: b
- id: b
  type: noop
  log: second
  transform: 'jq(error("boom"))'
`);
    const d = await e.run(ns, 'levels', {});
    expect(d.status).toBe('failed');
    const entries = await logEntries(e, d.id);
    expect(entries.length).toBeGreaterThan(4);
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i]!.id).toBeGreaterThan(entries[i - 1]!.id);
      expect(Date.parse(entries[i]!.t)).toBeGreaterThanOrEqual(Date.parse(entries[i - 1]!.t));
    }
    expect(entries.find((l) => l.msg === 'first')!.level).toBe('info');
    expect(entries.find((l) => l.msg === 'Running state logic -- a:1 (noop)')!.level).toBe('info');
    // the failure is logged at error level, with its code
    const failure = entries.filter((l) => l.msg.includes('direktiv.jq.badCommand'));
    expect(failure.length).toBeGreaterThan(0);
    expect(failure.every((l) => l.level === 'error')).toBe(true);
    expectInOrder(
      entries.map((l) => l.msg),
      ['first', 'Transitioning to next state: b (2).', 'second'],
    );
  });

  it('a log string template is written with its jq results inserted', async () => {
    await e.deploy(ns, `id: log-string
states:
- id: a
  type: noop
  log: 'Hello jq(.name), you have jq(.items | length) items: jq(.items)'
  transition: b
- id: b
  type: noop
  log: plain words
`);
    const d = await e.run(ns, 'log-string', { name: 'ann', items: [1, 2] });
    const lines = await e.logLines(d.id);
    expectInOrder(lines, [
      'Running state logic -- a:1 (noop)',
      'Hello ann, you have 2 items: [1,2]',
      'Running state logic -- b:2 (noop)',
      'plain words',
      'Workflow completed.',
    ]);
  });

  it('a log that yields another value is written as JSON', async () => {
    await e.deploy(ns, `id: log-json
states:
- id: a
  type: noop
  log: 'jq(.)'
  transition: b
- id: b
  type: noop
  log:
    literal: map
    n: 'jq(.n)'
  transition: c
- id: c
  type: noop
  log: 'jq(.n)'
`);
    const d = await e.run(ns, 'log-json', { n: 3, s: ['x'] });
    const lines = await e.logLines(d.id);
    const after = (state: string) => lines[lines.indexOf(state) + 1]!;
    expect(JSON.parse(after('Running state logic -- a:1 (noop)'))).toEqual({ n: 3, s: ['x'] });
    expect(JSON.parse(after('Running state logic -- b:2 (noop)'))).toEqual({ literal: 'map', n: 3 });
    expect(after('Running state logic -- c:3 (noop)')).toBe('3');
  });

  it('log is evaluated against the data the state starts with (before its transform)', async () => {
    await e.deploy(ns, `id: log-before
states:
- id: a
  type: noop
  log: 'x is jq(.x)'
  transform: 'jq({x: "after"})'
`);
    const d = await e.run(ns, 'log-before', { x: 'before' });
    expect(await e.logLines(d.id)).toContain('x is before');
  });

  it('log works on every state type, written once per entry', async () => {
    await e.deploy(ns, wf.echo('echo'));
    await e.deploy(ns, `id: log-everywhere
states:
- id: act
  type: action
  log: log action
  action:
    workflow: echo
  transition: wait
- id: wait
  type: delay
  log: log delay
  duration: PT0.1S
  transition: each
- id: each
  type: foreach
  log: log foreach
  array: [1, 2]
  action:
    workflow: echo
  transition: par
- id: par
  type: parallel
  log: log parallel
  actions:
  - workflow: echo
  - workflow: echo
  transition: sw
- id: sw
  type: switch
  log: log switch
  conditions:
  - condition: true
    transition: set
- id: set
  type: setter
  log: log setter
  variables:
  - key: k
    value: 1
  transition: get
- id: get
  type: getter
  log: log getter
  variables:
  - key: k
  transition: val
- id: val
  type: validate
  log: log validate
  schema:
    type: object
  transition: err
- id: err
  type: error
  log: log error
  error: app.logged
  message: done
`);
    const d = await e.run(ns, 'log-everywhere', {});
    expect(d.errorCode).toBe('app.logged');
    const lines = await e.logLines(d.id);
    const expected = ['action', 'delay', 'foreach', 'parallel', 'switch', 'setter', 'getter', 'validate', 'error'].map((t) => `log ${t}`);
    expectInOrder(lines, expected);
    for (const l of expected) expect(lines.filter((x) => x === l)).toHaveLength(1);
  });

  it('a failing log template is a catchable jq error of the state', async () => {
    await e.deploy(ns, `id: log-fails
states:
- id: a
  type: noop
  log: 'jq(.x | error("no log"))'
  catch:
  - error: direktiv.jq.*
    transition: b
- id: b
  type: noop
`);
    const d = await e.run(ns, 'log-fails', { x: 1 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['a', 'b']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.jq.badCommand' } });
  });

  it('a failed instance ends its log with the error', async () => {
    await e.deploy(ns, wf.fail('fails', 'app.bad', 'it is bad'));
    const d = await e.run(ns, 'fails', {});
    const entries = await logEntries(e, d.id);
    const last = entries.at(-1)!;
    expect(last.level).toBe('error');
    expect(last.msg).toContain('app.bad');
    expect(last.msg).toContain('it is bad');
  });

  it('a cancelled instance logs its cancellation', async () => {
    await e.deploy(ns, wf.sleep('sleeper', 'PT30S'));
    const { instanceId } = await e.engine.execute({ namespace: ns, workflow: 'sleeper', input: undefined, invokedBy: { kind: 'api' } });
    await e.engine.cancel(instanceId);
    const d = (await e.engine.waitForEnd(instanceId, 5_000))!;
    expect(d.status).toBe('cancelled');
    const lines = await e.logLines(instanceId);
    expect(lines.at(-1)).toContain('direktiv.cancels.api');
  });

  it('each instance has its own log; a subflow logs into the child instance', async () => {
    await e.deploy(ns, `id: child-logs
states:
- id: a
  type: noop
  log: 'child says jq(.v)'
`);
    await e.deploy(ns, `id: parent-logs
states:
- id: call
  type: action
  log: parent calls
  action:
    workflow: child-logs
    input: 'jq({v: 1})'
`);
    const d = await e.run(ns, 'parent-logs', {});
    const parentLines = await e.logLines(d.id);
    expect(parentLines).toContain('parent calls');
    expect(parentLines).not.toContain('child says 1');
    const child = await e.t.db.query<{ id: string }>(`SELECT id FROM instances WHERE invoked_by->>'parent' = $1`, [d.id]);
    const childLines = await e.logLines(child.rows[0]!.id);
    expect(childLines).toContain('child says 1');
    expect(childLines.at(-1)).toBe('Workflow completed.');
  });
});
