import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../src/language/index.js';
import { exampleNames, readExample } from './helpers.js';

const INVALID = 'v04-unreliable-action-retries.yaml';

describe('the example workflows of users of the original system', () => {
  it('are all present', () => {
    expect(exampleNames()).toHaveLength(21);
  });

  for (const name of exampleNames().filter((n) => n !== INVALID)) {
    it(`${name} is valid`, () => {
      const result = validateWorkflow(readExample(name));
      expect(result.errors).toEqual([]);
      expect(result.workflow).toBeDefined();
    });
  }

  it(`${INVALID} is rejected for calling "notifier" where the function is "notify", and for nothing else`, () => {
    const result = validateWorkflow(readExample(INVALID));
    expect(result.workflow).toBeUndefined();
    expect(result.errors).toEqual([
      {
        path: 'states[5].action.function',
        line: 67,
        column: 15,
        message: 'undefined function "notifier"; defined functions: select, insert, delete, cruncher, notify',
      },
    ]);
  });

  it('v04-transitioner-jq.yaml loads despite its under-indented quoted string, with a warning on that line', () => {
    const result = validateWorkflow(readExample('v04-transitioner-jq.yaml'));
    expect(result.warnings).toEqual([expect.objectContaining({ line: 10, column: 1 })]);
    const first = result.workflow!.states[0]!;
    expect(first.transform).toBe('jq({ "number": 2, "objects": [{ "k1": "v1" }] })');
  });
});
