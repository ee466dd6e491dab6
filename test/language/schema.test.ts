/**
 * The published schema file and the validator must agree: editors check workflows with the file
 * alone, and must not flag what the server accepts.
 */
import { existsSync } from 'node:fs';
import { Ajv, type AnySchemaObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadWorkflowSchema, validateWorkflow, workflowSchemaPath } from '../../src/language/index.js';
import { DURATION_PATTERN } from '../../src/language/durations.js';
import { parseYaml } from '../../src/language/yaml-source.js';
import { exampleNames, readExample, yaml } from './helpers.js';

/** The schema file as a plain JSON Schema validator sees it. */
function schemaAlone(options: { discriminator: boolean }): (doc: unknown) => boolean {
  const schema = loadWorkflowSchema();
  if (!options.discriminator) dropKeyword(schema, 'discriminator');
  const validate = new Ajv({ allErrors: true, strict: false, discriminator: options.discriminator }).compile(schema);
  return (doc) => validate(doc);
}

function data(source: string): unknown {
  return parseYaml(source).source!.value;
}

function dropKeyword(node: unknown, keyword: string): void {
  if (Array.isArray(node)) node.forEach((n) => dropKeyword(n, keyword));
  else if (node !== null && typeof node === 'object') {
    delete (node as Record<string, unknown>)[keyword];
    Object.values(node).forEach((n) => dropKeyword(n, keyword));
  }
}

const INVALID_DOCS = {
  'unknown top-level field': yaml`
    id: flow
    statse: []
    states: [{id: a, type: noop}]
  `,
  'a catch indented into the action': yaml`
    id: flow
    functions: [{id: f, image: img}]
    states:
    - id: a
      type: action
      action:
        function: f
        catch: [{error: "*"}]
  `,
  'an unknown state type': yaml`
    id: flow
    states: [{id: a, type: sleep}]
  `,
  'a bad duration': yaml`
    id: flow
    states: [{id: a, type: delay, duration: 5s}]
  `,
  'a bad workflow id': yaml`
    id: Flow
    states: [{id: a, type: noop}]
  `,
  'an action with both function and workflow': yaml`
    id: flow
    functions: [{id: f, image: img}]
    states: [{id: a, type: action, action: {function: f, workflow: other}}]
  `,
  'both singular and exclusive': yaml`
    id: flow
    singular: true
    exclusive: true
    states: [{id: a, type: noop}]
  `,
  'a subflow function with an image': yaml`
    id: flow
    functions: [{id: f, type: subflow, workflow: child, image: img}]
    states: [{id: a, type: noop}]
  `,
};

describe('schema/workflow.schema.json', () => {
  it('is found from the module and is the draft-07 schema the validator runs', () => {
    expect(existsSync(workflowSchemaPath())).toBe(true);
    expect(workflowSchemaPath()).toMatch(/schema[\\/]workflow\.schema\.json$/);
    expect(loadWorkflowSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('gives a fresh copy on every load', () => {
    const a = loadWorkflowSchema();
    a.title = 'changed';
    expect(loadWorkflowSchema().title).toBe('Direktiv workflow');
  });

  it('has the duration grammar of the duration parser', () => {
    const definitions = loadWorkflowSchema().definitions as Record<string, AnySchemaObject>;
    expect(definitions.duration!.pattern).toBe(DURATION_PATTERN);
  });

  it('describes every field, for editors', () => {
    const undescribed: string[] = [];
    const visit = (node: AnySchemaObject, path: string): void => {
      for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, AnySchemaObject>)) {
        const target = typeof sub.$ref === 'string' ? definitionOf(sub.$ref) : sub;
        if (sub.description === undefined && target.description === undefined) undescribed.push(`${path}.${name}`);
        visit(sub, `${path}.${name}`);
      }
      for (const key of ['items', 'then', 'else'] as const) {
        if (node[key] !== undefined) visit(node[key] as AnySchemaObject, path);
      }
    };
    const schema = loadWorkflowSchema() as AnySchemaObject;
    const definitionOf = (ref: string): AnySchemaObject =>
      (schema.definitions as Record<string, AnySchemaObject>)[ref.replace('#/definitions/', '')]!;
    visit(schema, '');
    for (const [name, def] of Object.entries(schema.definitions as Record<string, AnySchemaObject>)) visit(def, name);
    expect(undescribed).toEqual([]);
  });

  for (const discriminator of [true, false]) {
    const label = discriminator ? 'with ajv' : 'as editors that ignore "discriminator" read it';
    describe(label, () => {
      const check = schemaAlone({ discriminator });

      it('accepts the raw YAML of every example (the invalid one breaks a reference, which is not its business)', () => {
        for (const name of exampleNames()) expect([name, check(data(readExample(name)))]).toEqual([name, true]);
      });

      for (const [what, source] of Object.entries(INVALID_DOCS)) {
        it(`rejects ${what}, as the validator does`, () => {
          expect(check(data(source))).toBe(false);
          expect(validateWorkflow(source).errors).not.toEqual([]);
        });
      }
    });
  }
});
