/** The model a valid workflow becomes: aliases resolved, defaults filled in, durations in ms. */
import { describe, expect, it } from 'vitest';
import { validateWorkflow, type Workflow } from '../../src/language/index.js';
import { readExample, yaml } from './helpers.js';

function model(source: string): Workflow {
  const result = validateWorkflow(source);
  expect(result.errors).toEqual([]);
  return result.workflow!;
}

describe('normalisation', () => {
  it('fills in the defaults of a minimal workflow', () => {
    expect(model('id: flow\nstates: [{id: a, type: noop}]\n')).toEqual({
      id: 'flow',
      singular: false,
      functions: [],
      start: { type: 'default', state: 'a' },
      states: [{ id: 'a', type: 'noop', catch: [] }],
      timeouts: {},
    });
  });

  it('keeps metadata, takes exclusive for singular and parses timeouts', () => {
    const wf = model('id: flow\nname: Flow\ndescription: d\nversion: "1.0"\nexclusive: true\ntimeouts: {interrupt: PT1M, kill: PT1H}\nstates: [{id: a, type: noop}]\n');
    expect(wf).toMatchObject({ name: 'Flow', description: 'd', version: '1.0', singular: true, timeouts: { interruptMs: 60_000, killMs: 3_600_000 } });
  });

  it('fills in function defaults', () => {
    const wf = model(yaml`
      id: flow
      functions:
      - {id: a, image: img}
      - {id: b, image: img, type: default, cmd: run, size: large, files: [{key: k}, {key: k2, scope: workflow, as: f.txt, type: base64}]}
      - {id: c, image: img, type: isolated}
      - {id: d, type: subflow, workflow: child}
      states: [{id: s, type: noop}]
    `);
    expect(wf.functions).toEqual([
      { id: 'a', type: 'reusable', image: 'img', size: 'small', files: [] },
      {
        id: 'b',
        type: 'reusable',
        image: 'img',
        cmd: 'run',
        size: 'large',
        files: [
          { key: 'k', scope: 'instance', as: 'k', type: 'plain' },
          { key: 'k2', scope: 'workflow', as: 'f.txt', type: 'base64' },
        ],
      },
      { id: 'c', type: 'isolated', image: 'img', size: 'small', files: [] },
      { id: 'd', type: 'subflow', workflow: 'child' },
    ]);
  });

  it('normalises start definitions, taking filters for context', () => {
    const start = (s: string) => model(`id: flow\nstart: ${s}\nstates: [{id: a, type: noop}, {id: b, type: noop, transition: a}]\n`).start;
    expect(start('{type: default, state: b}')).toEqual({ type: 'default', state: 'b' });
    expect(start('{type: scheduled, cron: " @hourly "}')).toEqual({ type: 'scheduled', state: 'a', cron: '@hourly' });
    expect(start('{type: event, event: {type: t, filters: {source: "s*"}}}')).toEqual({
      type: 'event',
      state: 'a',
      event: { type: 't', context: { source: 's*' } },
    });
    expect(start('{type: eventsXor, events: [{type: t}, {type: u, context: {x: y}}]}')).toEqual({
      type: 'eventsXor',
      state: 'a',
      events: [
        { type: 't', context: {} },
        { type: 'u', context: { x: 'y' } },
      ],
    });
    expect(start('{type: eventsAnd, events: [{type: t}], lifespan: PT1H, correlate: [subject]}')).toEqual({
      type: 'eventsAnd',
      state: 'a',
      events: [{ type: 't', context: {} }],
      lifespanMs: 3_600_000,
      correlate: ['subject'],
    });
    expect(start('{type: eventsAnd, events: [{type: t}]}')).toMatchObject({ correlate: [] });
  });

  it('normalises actions and retries, in either spelling', () => {
    const wf = model(yaml`
      id: flow
      functions: [{id: f, image: img}]
      states:
      - id: a
        type: action
        timeout: PT30S
        action: {function: f, retries: {max_attempts: 3, codes: [".*"]}}
        transition: b
      - id: b
        type: action
        async: true
        action: {workflow: child, input: {x: 1}, secrets: [s], retries: {maxAttempts: 2, delay: PT1S, multiplier: 2, codes: ["a.*"]}}
    `);
    expect(wf.states[0]).toEqual({
      id: 'a',
      type: 'action',
      transition: 'b',
      catch: [],
      async: false,
      timeoutMs: 30_000,
      action: { function: 'f', secrets: [], files: [], retries: { maxAttempts: 3, delayMs: 5_000, multiplier: 1, codes: ['.*'] } },
    });
    expect(wf.states[1]).toMatchObject({
      async: true,
      action: { workflow: 'child', input: { x: 1 }, secrets: ['s'], retries: { maxAttempts: 2, delayMs: 1_000, multiplier: 2, codes: ['a.*'] } },
    });
  });

  it('resolves state type aliases and the old eventAnd form', () => {
    const wf = model(yaml`
      id: flow
      states:
      - id: a
        type: eventsAnd
        events: [{event: {type: x, context: {s: "jq(.s)"}}}, {type: y}]
        transition: b
      - id: b
        type: eventsXor
        timeout: PT1M
        events: [{event: {type: z}, transform: {a: 1}, transition: a}]
    `);
    expect(wf.states).toEqual([
      {
        id: 'a',
        type: 'eventAnd',
        transition: 'b',
        catch: [],
        events: [
          { type: 'x', context: { s: 'jq(.s)' } },
          { type: 'y', context: {} },
        ],
      },
      { id: 'b', type: 'eventXor', catch: [], timeoutMs: 60_000, events: [{ event: { type: 'z', context: {} }, transform: { a: 1 }, transition: 'a' }] },
    ]);
  });

  it('fills in the defaults of every state type', () => {
    const wf = model(yaml`
      id: flow
      functions: [{id: f, image: img}]
      states:
      - {id: a, type: foreach, array: "jq(.x[])", action: {function: f}, transition: b}
      - {id: b, type: parallel, actions: [{function: f}], transition: c}
      - {id: c, type: switch, conditions: [{condition: "jq(.x)", transition: d}], defaultTransition: d, defaultTransform: {}}
      - {id: d, type: delay, duration: P1DT1S, transition: e}
      - {id: e, type: getter, variables: [{key: k}], transition: f}
      - {id: f, type: setter, variables: [{key: k, scope: namespace, value: null, mimeType: text/plain}], transition: g}
      - {id: g, type: validate, schema: {type: object}, transition: h}
      - {id: h, type: generateEvent, event: {type: t, source: s}, transition: i}
      - {id: i, type: consumeEvent, event: {type: t}, transition: j}
      - {id: j, type: error, error: my.code, message: "failed: %s", args: ["jq(.x)"]}
    `);
    expect(wf.states.map(({ id: _id, catch: _catch, transition: _transition, ...rest }) => rest)).toEqual([
      { type: 'foreach', array: 'jq(.x[])', action: { function: 'f', secrets: [], files: [] }, concurrency: 10 },
      { type: 'parallel', actions: [{ function: 'f', secrets: [], files: [] }], mode: 'and' },
      { type: 'switch', conditions: [{ condition: 'jq(.x)', transition: 'd' }], defaultTransition: 'd', defaultTransform: {} },
      { type: 'delay', durationMs: 86_401_000 },
      { type: 'getter', variables: [{ key: 'k', scope: 'instance' }] },
      { type: 'setter', variables: [{ key: 'k', scope: 'namespace', value: null, mimeType: 'text/plain' }] },
      { type: 'validate', schema: { type: 'object' } },
      { type: 'generateEvent', event: { type: 't', source: 's', context: {} } },
      { type: 'consumeEvent', event: { type: 't', context: {} } },
      { type: 'error', error: 'my.code', message: 'failed: %s', args: ['jq(.x)'] },
    ]);
  });

  it('keeps templates as written', () => {
    const wf = model(readExample('v04-httpget-secret-in-string.yaml'));
    expect(wf.states[0]).toMatchObject({
      action: {
        function: 'httprequest',
        secrets: ['secretToken'],
        input: { headers: { Authorization: 'bearer jq(.secrets.secretToken)' } },
      },
    });
  });
});
