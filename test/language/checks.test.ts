/** The checks JSON Schema cannot express (language reference §1), each failing and passing. */
import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../src/language/index.js';
import { errorsOf, warningsOf, withStates, yaml } from './helpers.js';

const FUNCTIONS = 'functions:\n- id: get\n  image: img\n- id: put\n  image: img\n';

describe('ids', () => {
  it('state ids are unique', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n  transition: a\n- id: a\n  type: noop\n'))).toEqual([
      'states[1].id: duplicate state id "a" (already used by states[0])',
    ]);
  });

  it('function ids are unique', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'functions: [{id: f, image: x}, {id: f, image: y}]\n'))).toEqual([
      'functions[1].id: duplicate function id "f" (already used by functions[0])',
    ]);
  });
});

describe('transitions name existing states', () => {
  const cases: [string, string, string][] = [
    ['a state transition', '- id: a\n  type: noop\n  transition: NEXT\n', 'states[0].transition'],
    ['a catch transition', '- id: a\n  type: noop\n  catch: [{error: "*", transition: NEXT}]\n', 'states[0].catch[0].transition'],
    ['a switch condition', '- id: a\n  type: switch\n  conditions: [{condition: true, transition: NEXT}]\n', 'states[0].conditions[0].transition'],
    ['a switch default', '- id: a\n  type: switch\n  conditions: [{condition: true}]\n  defaultTransition: NEXT\n', 'states[0].defaultTransition'],
    ['an eventXor branch', '- id: a\n  type: eventXor\n  events: [{event: {type: t}, transition: NEXT}]\n', 'states[0].events[0].transition'],
  ];
  for (const [what, state, path] of cases) {
    it(what, () => {
      expect(errorsOf(withStates(`${state}- id: b\n  type: noop\n`))).toEqual([`${path}: transition to undefined state "NEXT"; states: a, b`]);
      expect(errorsOf(withStates(`${state.replace('NEXT', 'b')}- id: b\n  type: noop\n`))).toEqual([]);
    });
  }

  it('start.state', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: default, state: b}\n'))).toEqual([
      'start.state: start state "b" is not defined; states: a',
    ]);
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: default, state: a}\n'))).toEqual([]);
  });
});

describe('actions name defined functions', () => {
  it('in action, foreach and parallel states, listing the defined ones', () => {
    const source = withStates(
      yaml`
        - id: a
          type: action
          action: {function: got}
          transition: b
        - id: b
          type: foreach
          array: [1]
          action: {function: get}
          transition: c
        - id: c
          type: parallel
          actions: [{function: put}, {function: pot}]
      `,
      FUNCTIONS,
    );
    expect(validateWorkflow(source).errors).toEqual([
      { path: 'states[0].action.function', line: 10, column: 22, message: 'undefined function "got"; defined functions: get, put' },
      { path: 'states[2].actions[1].function', line: 19, column: 41, message: 'undefined function "pot"; defined functions: get, put' },
    ]);
  });

  it('when there are none', () => {
    expect(errorsOf(withStates('- id: a\n  type: action\n  action: {function: get}\n'))).toEqual([
      'states[0].action.function: undefined function "get"; the workflow defines no functions',
    ]);
  });

  it('a subflow function counts', () => {
    expect(
      errorsOf(withStates('- id: a\n  type: action\n  action: {function: child}\n', 'functions: [{id: child, type: subflow, workflow: other}]\n')),
    ).toEqual([]);
  });
});

describe('jq expressions compile', () => {
  it('in every jq-capable field, pointing at the YAML scalar and quoting jq', () => {
    const source = withStates(
      yaml`
        - id: a
          type: noop
          log: jq(.a |)
          transition: b
        - id: b
          type: action
          action:
            function: get
            input:
              deep: ["ok jq(.x) and jq(.y[)"]
      `,
      FUNCTIONS,
    );
    const errors = validateWorkflow(source).errors;
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ path: 'states[0].log', line: 10, column: 8 });
    expect(errors[0]!.message).toMatch(/^jq\(\.a \|\) is not valid jq: syntax error.* at line 1, column \d+$/);
    expect(errors[1]).toMatchObject({ path: 'states[1].action.input.deep[0]', line: 17, column: 14 });
    expect(errors[1]!.message).toMatch(/^jq\(\.y\[\) is not valid jq: /);
  });

  const fields: [string, string, string][] = [
    ['transform', '- id: a\n  type: noop\n  transform: {x: "jq(BAD)"}\n', 'states[0].transform.x'],
    ['condition', '- id: a\n  type: switch\n  conditions: [{condition: "jq(BAD)"}]\n', 'states[0].conditions[0].condition'],
    ['foreach array', '- id: a\n  type: foreach\n  array: "jq(BAD)"\n  action: {function: get}\n', 'states[0].array'],
    ['event context', '- id: a\n  type: consumeEvent\n  event: {type: t, context: {subject: "jq(BAD)"}}\n', 'states[0].event.context.subject'],
    ['old eventAnd context', '- id: a\n  type: eventAnd\n  events: [{event: {type: t, context: {s: "jq(BAD)"}}}]\n', 'states[0].events[0].event.context.s'],
    ['eventXor transform', '- id: a\n  type: eventXor\n  events: [{event: {type: t}, transform: "jq(BAD)"}]\n', 'states[0].events[0].transform'],
    ['generated data', '- id: a\n  type: generateEvent\n  event: {type: t, source: s, data: "jq(BAD)"}\n', 'states[0].event.data'],
    ['setter value', '- id: a\n  type: setter\n  variables: [{key: k, value: "jq(BAD)"}]\n', 'states[0].variables[0].value'],
    ['validate subject', '- id: a\n  type: validate\n  subject: "jq(BAD)"\n  schema: {}\n', 'states[0].subject'],
    ['error args', '- id: a\n  type: error\n  error: e\n  message: "%s"\n  args: ["jq(BAD)"]\n', 'states[0].args[0]'],
  ];
  for (const [what, state, path] of fields) {
    it(what, () => {
      expect(errorsOf(withStates(state.replace('BAD', '.x +'), FUNCTIONS))).toEqual([expect.stringMatching(`^${escape(path)}: jq\\(\\.x \\+\\) is not valid jq`)]);
      expect(errorsOf(withStates(state.replace('BAD', '{x: .x}'), FUNCTIONS))).toEqual([]);
    });
  }

  it('an unterminated jq( is an error', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n  log: "value: jq(.a"\n'))).toEqual([
      'states[0].log: unterminated jq( at character 8: its closing ")" is missing',
    ]);
  });

  it('parentheses and quotes inside jq are understood', () => {
    expect(errorsOf(withStates(`- id: a\n  type: noop\n  log: 'x jq("(" + (.a | tostring) + "\\\\")") y'\n`))).toEqual([]);
  });
});

describe('templates have the form their use needs', () => {
  const noop = (transform: string) => withStates(`- id: a\n  type: noop\n  transform: ${transform}\n`);

  it('a transform is a map or exactly one jq(...)', () => {
    expect(errorsOf(noop('{a: 1}'))).toEqual([]);
    expect(errorsOf(noop('" jq(.) "'))).toEqual([]);
    expect(errorsOf(noop('.a'))).toEqual([
      'states[0].transform: must be a map or exactly one jq(...) expression that yields an object; this is a plain string, which is taken literally',
    ]);
    expect(errorsOf(noop('"x jq(.)"'))).toEqual([
      'states[0].transform: must be a map or exactly one jq(...) expression that yields an object; this is text around jq(...), which makes a string',
    ]);
  });

  it('so are switch and eventXor transforms', () => {
    expect(errorsOf(withStates('- id: a\n  type: switch\n  conditions: [{condition: true, transform: x}]\n  defaultTransform: y\n'))).toEqual([
      expect.stringMatching(/^states\[0\]\.conditions\[0\]\.transform: must be a map/),
      expect.stringMatching(/^states\[0\]\.defaultTransform: must be a map/),
    ]);
  });

  it('foreach items come from a list or exactly one jq(...)', () => {
    const foreach = (array: string) => withStates(`- id: a\n  type: foreach\n  array: ${array}\n  action: {function: get}\n`, FUNCTIONS);
    expect(errorsOf(foreach('"jq(.items[])"'))).toEqual([]);
    expect(errorsOf(foreach('[1, "jq(.a)"]'))).toEqual([]);
    expect(errorsOf(foreach('.items[]'))).toEqual([
      'states[0].array: must be a list or exactly one jq(...) expression; this is a plain string, which is taken literally',
    ]);
  });

  it('a condition that is a plain string is a warning: it is always true', () => {
    const source = withStates('- id: a\n  type: switch\n  conditions: [{condition: .age > 18}]\n');
    expect(errorsOf(source)).toEqual([]);
    expect(warningsOf(source)).toEqual([
      "states[0].conditions[0].condition: this condition is a plain string, which is always true; did you mean 'jq(.age > 18)'?",
    ]);
    expect(warningsOf(withStates('- id: a\n  type: switch\n  conditions: [{condition: "jq(.age > 18)"}, {condition: true}]\n'))).toEqual([]);
  });

  it('a plain string elsewhere is a literal', () => {
    expect(errorsOf(withStates('- id: a\n  type: action\n  action: {function: get, input: .greeting}\n', FUNCTIONS))).toEqual([]);
  });
});

describe('inline JSON Schemas compile', () => {
  const validate = (schema: string) => withStates(`- id: a\n  type: validate\n  schema: ${schema}\n`);

  it('draft 2020-12, draft-07 and formats', () => {
    expect(errorsOf(validate('{type: object, properties: {email: {type: string, format: email}}}'))).toEqual([]);
    expect(errorsOf(validate('{$schema: "https://json-schema.org/draft/2020-12/schema", prefixItems: [{type: string}]}'))).toEqual([]);
    expect(errorsOf(validate('{$schema: "http://json-schema.org/draft-07/schema#", items: [{type: string}]}'))).toEqual([]);
    expect(errorsOf(validate('{items: [{type: string}]}'))).toEqual([]);
    expect(errorsOf(validate('true'))).toEqual([]);
  });

  it('anything else is an error', () => {
    expect(errorsOf(validate('{type: strin}'))).toEqual([expect.stringMatching(/^states\[0\]\.schema: is not a usable JSON Schema: not a valid draft 2020-12 schema: schema\/type/)]);
    expect(errorsOf(validate('{$ref: "http://example.com/s.json"}'))).toEqual([expect.stringMatching(/^states\[0\]\.schema: is not a usable JSON Schema: can't resolve reference/)]);
    expect(errorsOf(validate('{$schema: "http://json-schema.org/draft-04/schema#"}'))).toEqual([
      'states[0].schema: is not a usable JSON Schema: unsupported $schema "http://json-schema.org/draft-04/schema#"; use draft 2020-12 or draft-07',
    ]);
  });
});

describe('the description', () => {
  const described = (description: string) => `id: flow\ndescription: "${description}"\nstates: [{id: a, type: noop}]\n`;

  it('is at most 1024 bytes', () => {
    expect(errorsOf(described('x'.repeat(1024)))).toEqual([]);
    expect(errorsOf(described('x'.repeat(1025)))).toEqual(['description: must be at most 1024 characters long']);
    expect(errorsOf(described('é'.repeat(512)))).toEqual([]);
    expect(errorsOf(described('é'.repeat(513)))).toEqual(['description: is 1026 bytes long; at most 1024 are allowed']);
  });
});

describe('cron', () => {
  const scheduled = (cron: string) => withStates('- id: a\n  type: noop\n', `start: {type: scheduled, cron: "${cron}"}\n`);

  it('accepts 5 fields and the descriptors', () => {
    for (const ok of ['0 * * * *', '*/5 * * * *', '0 9 * * MON-FRI', '30 2 1 */3 *', '@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually']) {
      expect([ok, errorsOf(scheduled(ok))]).toEqual([ok, []]);
    }
  });

  it('refuses anything else', () => {
    const fields = 'a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has';
    const bad: [string, string | RegExp][] = [
      ['* * * * * *', `${fields} 6 (seconds and years are not supported)`],
      ['0 0 * *', `${fields} 4`],
      ['', `${fields} 0`],
      ['@reboot', 'unknown cron descriptor "@reboot"; use 5 fields or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly'],
      ['61 * * * *', 'invalid cron expression: Invalid value for minute: 61'],
      ['a b c d e', /^invalid cron expression: /],
      ['0 0 31 2 *', 'this cron expression never fires'],
    ];
    for (const [cron, message] of bad) {
      const expected: unknown = typeof message === 'string' ? `start.cron: ${message}` : expect.stringMatching(`^start\\.cron: ${message.source.slice(1)}`);
      expect([cron, errorsOf(scheduled(cron))]).toEqual([cron, [expected]]);
    }
  });
});

describe('timeouts', () => {
  it('kill comes after interrupt', () => {
    const timeouts = (t: string) => `id: flow\ntimeouts: ${t}\nstates: [{id: a, type: noop}]\n`;
    expect(errorsOf(timeouts('{interrupt: PT10M, kill: PT1H}'))).toEqual([]);
    expect(errorsOf(timeouts('{interrupt: PT1H, kill: PT1H}'))).toEqual([
      'timeouts.kill: must be longer than timeouts.interrupt: kill ends the instance after interrupt gave it the chance to clean up',
    ]);
  });
});

describe('start events', () => {
  it('match patterns, not jq', () => {
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: event, event: {type: t, context: {subject: "jq(.x)"}}}\n'))).toEqual([
      'start.event.context.subject: start event patterns are plain text with "*" wildcards; jq(...) is only evaluated in states',
    ]);
    expect(errorsOf(withStates('- id: a\n  type: noop\n', 'start: {type: eventsXor, events: [{type: t, filters: {subject: "a*"}}]}\n'))).toEqual([]);
  });
});

describe('unreachable states', () => {
  it('are warnings, not errors', () => {
    const result = validateWorkflow(withStates('- id: a\n  type: noop\n- id: b\n  type: noop\n'));
    expect(result.errors).toEqual([]);
    expect(result.workflow).toBeDefined();
    expect(result.warnings).toEqual([
      { path: 'states[1]', line: 5, column: 3, message: 'state "b" is unreachable: no transition from the start state "a" leads to it' },
    ]);
  });

  it('count every kind of transition, catch included', () => {
    const source = withStates(yaml`
      - id: a
        type: noop
        catch: [{error: "*", transition: b}]
      - id: b
        type: switch
        conditions: [{condition: true, transition: c}]
        defaultTransition: d
      - id: c
        type: eventXor
        events: [{event: {type: t}, transition: e}]
      - id: d
        type: noop
      - id: e
        type: noop
    `);
    expect(warningsOf(source)).toEqual([]);
  });

  it('start from start.state', () => {
    expect(warningsOf(withStates('- id: a\n  type: noop\n- id: b\n  type: noop\n  transition: a\n', 'start: {type: default, state: b}\n'))).toEqual([]);
  });
});

describe('a problem the schema reported', () => {
  it('is not reported again by a check', () => {
    // A transition the schema refuses (switch states have none) is not also an undefined state.
    expect(errorsOf(withStates('- id: a\n  type: switch\n  conditions: [{condition: true}]\n  transition: nowhere\n'))).toEqual([
      'states[0].transition: unknown field "transition"',
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
