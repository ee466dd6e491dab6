/**
 * switch (language reference §6): the first truthy condition wins with its transform and
 * transition; `null`, `false`, `0`, `""`, `[]`, `{}` are false; no match → the defaults; no
 * default transition → the instance ends. Plus noop and delay with transforms, and transitions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { freshNs } from './helpers.js';

const picker = `id: picker
states:
- id: s
  type: switch
  conditions:
  - condition: 'jq(.v)'
    transition: truthy
    transform: 'jq(. + {branch: "cond"})'
  defaultTransition: falsy
  defaultTransform: 'jq(. + {branch: "default"})'
- id: truthy
  type: noop
  transform: 'jq(. + {truthy: true})'
- id: falsy
  type: noop
  transform: 'jq(. + {truthy: false})'
`;

describe.each(BACKENDS)('switch, noop and delay on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('sw');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, picker);
  });
  afterAll(async () => {
    await e.stop();
  });

  it.each([
    ['null', null],
    ['false', false],
    ['0', 0],
    ['0.0', 0.0],
    ['""', ''],
    ['[]', []],
    ['{}', {}],
  ])('%s is false', async (_name, v) => {
    const d = await e.run(ns, 'picker', { v });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['s', 'falsy']);
    expect(d.output).toEqual({ v, branch: 'default', truthy: false });
  });

  it.each([
    ['true', true],
    ['1', 1],
    ['-1', -1],
    ['0.5', 0.5],
    ['"0"', '0'],
    ['"false"', 'false'],
    ['[0]', [0]],
    ['{"a":null}', { a: null }],
  ])('%s is true', async (_name, v) => {
    const d = await e.run(ns, 'picker', { v });
    expect(d.flow).toEqual(['s', 'truthy']);
    expect(d.output).toEqual({ v, branch: 'cond', truthy: true });
  });

  it('an absent key is null, so false', async () => {
    const d = await e.run(ns, 'picker', {});
    expect(d.flow).toEqual(['s', 'falsy']);
  });

  it('the first truthy condition wins, with its own transform', async () => {
    await e.deploy(ns, `id: first
states:
- id: s
  type: switch
  conditions:
  - condition: 'jq(.n > 10)'
    transition: big
    transform: 'jq({which: "big"})'
  - condition: 'jq(.n > 5)'
    transition: medium
    transform: 'jq({which: "medium"})'
  - condition: 'jq(.n > 0)'
    transition: small
  defaultTransition: none
- id: big
  type: noop
- id: medium
  type: noop
- id: small
  type: noop
- id: none
  type: noop
`);
    const big = await e.run(ns, 'first', { n: 20 });
    expect(big.flow).toEqual(['s', 'big']);
    expect(big.output).toEqual({ which: 'big' });
    const medium = await e.run(ns, 'first', { n: 7 });
    expect(medium.flow).toEqual(['s', 'medium']);
    expect(medium.output).toEqual({ which: 'medium' });
    // No transform on the matching condition: the data is unchanged.
    const small = await e.run(ns, 'first', { n: 1 });
    expect(small.flow).toEqual(['s', 'small']);
    expect(small.output).toEqual({ n: 1 });
    const none = await e.run(ns, 'first', { n: -1 });
    expect(none.flow).toEqual(['s', 'none']);
    expect(none.output).toEqual({ n: -1 });
  });

  it('a condition whose result is a number taken from the data follows truthiness', async () => {
    await e.deploy(ns, `id: numeric
states:
- id: s
  type: switch
  conditions:
  - condition: 'jq(.count)'
    transition: yes
  defaultTransition: no
- id: yes
  type: noop
- id: no
  type: noop
`);
    expect((await e.run(ns, 'numeric', { count: 3 })).flow).toEqual(['s', 'yes']);
    expect((await e.run(ns, 'numeric', { count: 0 })).flow).toEqual(['s', 'no']);
  });

  it('no match and no default transition ends the instance, with the default transform', async () => {
    await e.deploy(ns, `id: ends
states:
- id: s
  type: switch
  conditions:
  - condition: 'jq(.go)'
    transition: next
  defaultTransform: 'jq({ended: true})'
- id: next
  type: noop
`);
    const d = await e.run(ns, 'ends', { go: false });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['s']);
    expect(d.output).toEqual({ ended: true });
    const g = await e.run(ns, 'ends', { go: true });
    expect(g.flow).toEqual(['s', 'next']);
  });

  it('a matching condition without a transition ends the instance', async () => {
    await e.deploy(ns, `id: cond-ends
states:
- id: s
  type: switch
  conditions:
  - condition: 'jq(.go)'
    transform: 'jq({matched: true})'
  defaultTransition: other
- id: other
  type: noop
`);
    const d = await e.run(ns, 'cond-ends', { go: 1 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['s']);
    expect(d.output).toEqual({ matched: true });
  });

  it('a failing condition is a catchable jq error', async () => {
    await e.deploy(ns, `id: cond-error
states:
- id: s
  type: switch
  conditions:
  - condition: 'jq(error("nope"))'
    transition: next
  catch:
  - error: direktiv.jq.badCommand
    transition: caught
- id: next
  type: noop
- id: caught
  type: noop
`);
    const d = await e.run(ns, 'cond-error', {});
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['s', 'caught']);
    expect(d.output).toMatchObject({ error: { code: 'direktiv.jq.badCommand' } });
  });

  it('a switch can loop back to an earlier state', async () => {
    await e.deploy(ns, `id: loop
states:
- id: inc
  type: noop
  transform: 'jq({i: (.i + 1)})'
  transition: check
- id: check
  type: switch
  conditions:
  - condition: 'jq(.i < 3)'
    transition: inc
`);
    const d = await e.run(ns, 'loop', { i: 0 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ i: 3 });
    expect(d.flow).toEqual(['inc', 'check', 'inc', 'check', 'inc', 'check']);
  });

  it('a long loop (past the states one transaction may run) completes', async () => {
    await e.deploy(ns, `id: long-loop
states:
- id: inc
  type: noop
  transform: 'jq({i: (.i + 1)})'
  transition: check
- id: check
  type: switch
  conditions:
  - condition: 'jq(.i < 150)'
    transition: inc
`);
    const d = await e.run(ns, 'long-loop', { i: 0 });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ i: 150 });
    expect(d.flow).toHaveLength(300);
    const lines = await e.logLines(d.id);
    expect(lines).toContain('Running state logic -- check:300 (switch)');
  });

  it('a noop with a transform and no transition completes with the transformed data', async () => {
    await e.deploy(ns, `id: noop
states:
- id: a
  type: noop
  transform:
    x: 1
`);
    const d = await e.run(ns, 'noop', { y: 1 });
    expect(d.output).toEqual({ x: 1 });
  });

  it('start.state chooses the first state', async () => {
    await e.deploy(ns, `id: start-state
start:
  type: default
  state: second
states:
- id: first
  type: noop
  transform:
    from: first
- id: second
  type: noop
  transform:
    from: second
`);
    const d = await e.run(ns, 'start-state', {});
    expect(d.flow).toEqual(['second']);
    expect(d.output).toEqual({ from: 'second' });
  });

  it('delay applies its transform after waking', async () => {
    await e.deploy(ns, `id: delay
states:
- id: a
  type: delay
  duration: PT0.2S
  transform: 'jq(. + {woke: true})'
  transition: b
- id: b
  type: noop
`);
    const t0 = Date.now();
    const d = await e.run(ns, 'delay', { x: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(d.output).toEqual({ x: 1, woke: true });
    expect(d.flow).toEqual(['a', 'b']);
  });
});
