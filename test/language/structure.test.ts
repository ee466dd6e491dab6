/** What the schema part of the validator reports, and how: path, position, message. */
import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../src/language/index.js';
import { errorsOf, withStates, yaml } from './helpers.js';

const STATE_TYPES =
  'noop, action, switch, foreach, parallel, delay, consumeEvent, eventAnd, eventXor, generateEvent, getter, setter, validate, error';

describe('YAML', () => {
  it('reports syntax errors with their line and column, and no workflow', () => {
    const result = validateWorkflow('id: flow\nstates: [\n');
    expect(result.workflow).toBeUndefined();
    expect(result.errors).toEqual([
      {
        path: '',
        line: 3,
        column: 1,
        message: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
  });

  it('refuses duplicate keys', () => {
    const result = validateWorkflow('id: flow\nid: other\nstates: [{id: a, type: noop}]\n');
    expect(result.errors).toEqual([{ path: '', line: 2, column: 1, message: 'YAML syntax error: Map keys must be unique' }]);
  });

  it('refuses more than one document', () => {
    const result = validateWorkflow('id: flow\nstates: [{id: a, type: noop}]\n---\nid: other\n');
    expect(result.errors).toEqual([
      { path: '', line: 3, column: 1, message: 'a workflow is one YAML document, but this text holds 2 (separated by "---")' },
    ]);
  });

  it('refuses an empty text', () => {
    expect(errorsOf('')).toEqual([': the workflow is empty']);
    expect(errorsOf('# just a comment\n')).toEqual([': the workflow is empty']);
  });

  it('refuses a document that is not a map', () => {
    expect(errorsOf('- id: flow\n')).toEqual([': must be a map']);
  });

  it('refuses numbers without a JSON form', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n  transform: {x: .inf}\n'))).toEqual([
      'states[0].transform.x: must be a finite number (.inf and .nan have no JSON form)',
    ]);
  });

  it('keeps a "__proto__" key as a plain key', () => {
    const result = validateWorkflow(withStates('- id: a\n  type: noop\n  transform: {__proto__: 1}\n'));
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.workflow!.states[0]!.transform as object)).toEqual(['__proto__']);
  });
});

describe('unknown fields', () => {
  it('are errors at the key, with a suggestion for a likely typo', () => {
    const result = validateWorkflow(yaml`
      id: flow
      statse: []
      states: [{id: a, type: noop}]
    `);
    expect(result.errors).toEqual([
      { path: 'statse', line: 2, column: 1, message: 'unknown field "statse" (did you mean "states"?)' },
    ]);
  });

  it('catch a catch indented into the action', () => {
    const result = validateWorkflow(yaml`
      id: flow
      functions:
      - id: f
        image: img
      states:
      - id: a
        type: action
        action:
          function: f
          catch:
          - error: "*"
    `);
    expect(result.errors).toEqual([
      {
        path: 'states[0].action.catch',
        line: 10,
        column: 5,
        message: 'unknown field "catch" here: "catch" belongs to the state; check its indentation',
      },
    ]);
  });

  it('are errors in every nested map', () => {
    expect(
      errorsOf(yaml`
        id: flow
        timeouts: {interupt: PT1M}
        states:
        - id: a
          type: noop
          catch: [{error: "*", transiton: a}]
      `),
    ).toEqual([
      'timeouts.interupt: unknown field "interupt" (did you mean "interrupt"?)',
      'states[0].catch[0].transiton: unknown field "transiton" (did you mean "transition"?)',
    ]);
  });

  it('include fields of other state types', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n  timeout: PT1M\n'))).toEqual(['states[0].timeout: unknown field "timeout"']);
  });

  it('include state-level transitions of switch and eventXor states, whose branches carry them', () => {
    expect(
      errorsOf(
        withStates(yaml`
          - id: a
            type: switch
            conditions: [{condition: true}]
            transition: a
        `),
      ),
    ).toEqual(['states[0].transition: unknown field "transition"']);
  });
});

describe('missing fields', () => {
  it('are reported on the map that lacks them', () => {
    const result = validateWorkflow(yaml`
      id: flow
      states:
      - id: a
        type: noop
        catch:
        - transition: a
    `);
    expect(result.errors).toEqual([
      { path: 'states[0].catch[0]', line: 6, column: 5, message: 'missing required field "error"' },
    ]);
  });

  it('include states and the workflow id', () => {
    expect(errorsOf('name: x\n')).toEqual([': missing required field "id"', ': missing required field "states"']);
  });

  it('include what the error state needs', () => {
    expect(errorsOf(withStates('- id: a\n  type: error\n'))).toEqual([
      'states[0]: missing required field "error"',
      'states[0]: missing required field "message"',
    ]);
  });
});

describe('states are checked against the schema of their type only', () => {
  it('an unknown type is one error that lists the types', () => {
    expect(errorsOf(withStates('- id: a\n  type: sleep\n  duration: PT1S\n  whatever: 1\n'))).toEqual([
      `states[0].type: unknown state type "sleep"; allowed types: ${STATE_TYPES}`,
    ]);
  });

  it('a known type gets the errors of its own schema', () => {
    expect(errorsOf(withStates('- id: a\n  type: delay\n  action: {function: f}\n'))).toEqual([
      'states[0]: missing required field "duration"',
      'states[0].action: unknown field "action"',
    ]);
  });

  it('a missing type is only that', () => {
    expect(errorsOf(withStates('- id: a\n  duration: PT1S\n'))).toEqual(['states[0]: missing required field "type"']);
  });

  it('a type that is not a string says so', () => {
    expect(errorsOf(withStates('- id: a\n  type: 7\n'))).toEqual([`states[0].type: must be a string: one of ${STATE_TYPES}`]);
  });

  it('start definitions work the same way', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: cron}\n'))).toEqual([
      'start.type: unknown start type "cron"; allowed types: default, scheduled, event, eventsXor, eventsAnd',
    ]);
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: scheduled}\n'))).toEqual([
      'start: missing required field "cron"',
    ]);
  });
});

describe('values', () => {
  const action = (fields: string) => withStates(`- id: a\n  type: action\n  action: {function: f}\n${fields}`, 'functions: [{id: f, image: img}]\n');

  it('enumerations list what is allowed', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: f, image: img, size: huge}]\n'))).toEqual([
      'functions[0].size: must be one of: small, medium, large',
    ]);
  });

  it('types are named as YAML users know them', () => {
    expect(errorsOf(action('  async: "yes"\n'))).toEqual(['states[0].async: must be true or false']);
    expect(errorsOf(withStates('- id: a\n  type: noop\n  transform: [1]\n'))).toEqual(['states[0].transform: must be a map or a string']);
    expect(errorsOf('id: flow\nstates: {}\n')).toEqual(['states: must be a list']);
  });

  it('numbers have their limits', () => {
    const foreach = (concurrency: string) =>
      withStates(`- id: a\n  type: foreach\n  array: [1]\n  action: {function: f}\n  concurrency: ${concurrency}\n`, 'functions: [{id: f, image: img}]\n');
    expect(errorsOf(foreach('0'))).toEqual(['states[0].concurrency: must be at least 1']);
    expect(errorsOf(foreach('1.5'))).toEqual(['states[0].concurrency: must be a whole number']);
    expect(errorsOf(foreach('1'))).toEqual([]);
  });

  it('lists that need items say so', () => {
    expect(errorsOf(withStates('- id: a\n  type: parallel\n  actions: []\n'))).toEqual(['states[0].actions: must list at least one item']);
    expect(errorsOf('id: flow\nstates: []\n')).toEqual(['states: must list at least one item']);
  });

  it('durations are ISO-8601', () => {
    expect(errorsOf(action('  timeout: 30s\n'))).toEqual(['states[0].timeout: must be an ISO-8601 duration such as PT30S, PT1H or P1D']);
    for (const ok of ['PT30S', 'PT1.5S', 'PT5M', 'PT1H', 'P1D', 'P1W', 'P1DT12H', 'P1Y2M3DT4H5M6S']) {
      expect(errorsOf(action(`  timeout: ${ok}\n`))).toEqual([]);
    }
    for (const bad of ['P', 'PT', 'P1', 'P1DT', 'PT1.5M', '1H', 'pt1h', 'P-1D']) {
      expect([bad, errorsOf(action(`  timeout: "${bad}"\n`))]).toEqual([bad, ['states[0].timeout: must be an ISO-8601 duration such as PT30S, PT1H or P1D']]);
    }
  });

  it('the workflow id is 3 to 36 lowercase characters', () => {
    const idError = 'id: must be 3 to 36 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter and ending with a letter or digit';
    for (const ok of ['abc', 'a-b', 'my.flow_2', `a${'b'.repeat(35)}`]) expect(errorsOf(`id: ${ok}\nstates: [{id: a, type: noop}]\n`)).toEqual([]);
    for (const bad of ['ab', 'Abc', 'abc-', '1abc', 'a b c', `a${'b'.repeat(36)}`]) {
      expect(errorsOf(`id: "${bad}"\nstates: [{id: a, type: noop}]\n`)).toEqual([idError]);
    }
  });

  it('function ids, state ids and variable keys have their own rules', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: -f, image: img}]\n'))).toEqual([
      'functions[0].id: must be letters, digits, ".", "_" or "-", starting with a letter or digit',
    ]);
    expect(errorsOf(withStates('- id: a b\n  type: noop\n'))).toEqual(['states[0].id: must not contain white space']);
    const getter = (key: string) => withStates(`- id: a\n  type: getter\n  variables: [{key: "${key}"}]\n`);
    expect(errorsOf(getter('my-var.v2_x'))).toEqual([]);
    for (const bad of ['.hidden', '..', 'a/b', 'my var', '']) {
      expect(errorsOf(getter(bad))).toHaveLength(1);
    }
  });
});

describe('functions', () => {
  it('a container function needs an image', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: f}]\n'))).toEqual(['functions[0]: missing required field "image"']);
  });

  it('a subflow function needs a workflow and takes no image', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: f, type: subflow, image: img}]\n'))).toEqual([
      'functions[0]: missing required field "workflow"',
      'functions[0].image: unknown field "image"',
    ]);
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: f, type: subflow, workflow: child}]\n'))).toEqual([]);
  });

  it('an unknown function type lists the types', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: f, type: knative, image: img}]\n'))).toEqual([
      'functions[0].type: must be one of: reusable, isolated, subflow, default',
    ]);
  });
});

describe('actions', () => {
  const state = (action: string) => withStates(`- id: a\n  type: action\n  action: ${action}\n`, 'functions: [{id: f, image: img}]\n');

  it('need a function or a workflow', () => {
    expect(errorsOf(state('{input: 1}'))).toEqual(['states[0].action: missing required field: one of "function" or "workflow"']);
  });

  it('take only one of them', () => {
    expect(errorsOf(state('{function: f, workflow: child}'))).toEqual(['states[0].action: give only one of "function" or "workflow"']);
  });

  it('may call a workflow directly', () => {
    expect(errorsOf(state('{workflow: child}'))).toEqual([]);
  });

  it('retries need a number of attempts and codes', () => {
    expect(errorsOf(state('{function: f, retries: {delay: PT1S}}'))).toEqual([
      'states[0].action.retries: missing required field: one of "max_attempts" or "maxAttempts"',
      'states[0].action.retries: missing required field "codes"',
    ]);
  });
});

describe('old spellings', () => {
  it('are accepted', () => {
    const result = validateWorkflow(yaml`
      id: flow
      exclusive: true
      functions: [{id: f, image: img, type: default}]
      start:
        type: event
        event: {type: t, filters: {source: "a*"}}
      states:
      - id: a
        type: eventsAnd
        events: [{type: x}]
        transition: b
      - id: b
        type: eventsXor
        events: [{event: {type: y}, transition: c}]
      - id: c
        type: action
        action: {function: f, retries: {maxAttempts: 2, codes: ["*"]}}
    `);
    expect(result.errors).toEqual([]);
  });

  it('may not be given together with the new spelling', () => {
    expect(errorsOf('id: flow\nsingular: true\nexclusive: true\nstates: [{id: a, type: noop}]\n')).toEqual([
      'exclusive: "exclusive" is an old spelling of "singular": give only one of them',
    ]);
    expect(
      errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: event, event: {type: t, context: {a: b}, filters: {a: b}}}\n')),
    ).toEqual(['start.event.filters: "filters" is an old spelling of "context": give only one of them']);
    expect(
      errorsOf(
        withStates(
          '- id: a\n  type: action\n  action: {function: f, retries: {max_attempts: 1, maxAttempts: 1, codes: ["*"]}}\n',
          'functions: [{id: f, image: img}]\n',
        ),
      ),
    ).toEqual(['states[0].action.retries.maxAttempts: "maxAttempts" is an old spelling of "max_attempts": give only one of them']);
  });

  it('the old eventAnd entry form takes only the event', () => {
    expect(errorsOf(withStates('- id: a\n  type: eventAnd\n  events: [{event: {type: x}, transition: a}]\n'))).toEqual([
      'states[0].events[0].transition: unknown field "transition" here: "transition" belongs to the state; check its indentation',
    ]);
  });
});

describe('problems', () => {
  it('are listed in the order they are written, all at once', () => {
    const result = validateWorkflow(yaml`
      id: Flow
      states:
      - id: a
        type: noop
        transition: nowhere
      - id: b
        type: delay
        duration: soon
    `);
    expect(result.errors.map((p) => [p.line, p.path])).toEqual([
      [1, 'id'],
      [5, 'states[0].transition'],
      [8, 'states[1].duration'],
    ]);
  });
});
