/**
 * getter and setter (language reference §6): the three scopes (instance, default; workflow;
 * namespace), `.var.<key>` is the stored value (JSON if it parses) or null, setting `null`
 * deletes, `mimeType` is stored with the value; workflow variables go with the workflow and
 * namespace variables with the namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../../src/jq/index.js';
import * as variables from '../../src/variables/index.js';
import type { VariableRef } from '../../src/variables/index.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { freshNs } from './helpers.js';

/** A workflow that sets `key` in `scope` from `.value` (when `.set` is true), then reads it back. */
const setGet = (id: string, scope: string, key = 'k') => `id: ${id}
states:
- id: choose
  type: switch
  conditions:
  - condition: 'jq(.set)'
    transition: set
  defaultTransition: get
- id: set
  type: setter
  variables:
  - key: ${key}
    scope: ${scope}
    value: 'jq(.value)'
  transition: get
- id: get
  type: getter
  variables:
  - key: ${key}
    scope: ${scope}
  transform: 'jq({got: .var.${key}})'
`;

describe.each(BACKENDS)('variables on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('var');
  beforeAll(async () => {
    e = await startTestEngine(backend);
  });
  afterAll(async () => {
    await e.stop();
  });

  const wfUid = async (namespace: string, name: string) => (await e.engine.deps.workflows.find(e.t.db, namespace, name))!.uid;
  const stored = (ref: VariableRef) => variables.getValue(e.t.db, ref);

  it('instance scope (the default) lives with the instance', async () => {
    await e.deploy(ns, `id: inst
states:
- id: choose
  type: switch
  conditions:
  - condition: 'jq(.set)'
    transition: set
  defaultTransition: get
- id: set
  type: setter
  variables:
  - key: k
    value: 'jq(.value)'
  transition: get
- id: get
  type: getter
  variables:
  - key: k
    scope: instance
  transform: 'jq({got: .var.k})'
`);
    const a = await e.run(ns, 'inst', { set: true, value: { x: [1, 'two'] } });
    expect(a.output).toEqual({ got: { x: [1, 'two'] } });
    // another instance of the same workflow does not see it
    const b = await e.run(ns, 'inst', { set: false });
    expect(b.output).toEqual({ got: null });
    const v = await stored({ namespace: ns, scope: 'instance', owner: a.id, key: 'k' });
    expect(v).not.toBeNull();
    expect(JSON.parse(v!.data.toString('utf8'))).toEqual({ x: [1, 'two'] });
    expect(v!.mimeType).toBe('application/json');
  });

  it('workflow scope is shared by the instances of one workflow only', async () => {
    await e.deploy(ns, setGet('wf-a', 'workflow'));
    await e.deploy(ns, setGet('wf-b', 'workflow'));
    expect((await e.run(ns, 'wf-a', { set: true, value: 'from a' })).output).toEqual({ got: 'from a' });
    expect((await e.run(ns, 'wf-a', { set: false })).output).toEqual({ got: 'from a' });
    expect((await e.run(ns, 'wf-b', { set: false })).output).toEqual({ got: null });
    const v = await stored({ namespace: ns, scope: 'workflow', owner: await wfUid(ns, 'wf-a'), key: 'k' });
    expect(JSON.parse(v!.data.toString('utf8'))).toBe('from a');
  });

  it('namespace scope is shared by the workflows of one namespace only', async () => {
    const other = freshNs('var-other');
    await e.deploy(ns, setGet('ns-a', 'namespace', 'shared'));
    await e.deploy(ns, setGet('ns-b', 'namespace', 'shared'));
    await e.deploy(other, setGet('ns-b', 'namespace', 'shared'));
    expect((await e.run(ns, 'ns-a', { set: true, value: 42 })).output).toEqual({ got: 42 });
    expect((await e.run(ns, 'ns-b', { set: false })).output).toEqual({ got: 42 });
    expect((await e.run(other, 'ns-b', { set: false })).output).toEqual({ got: null });
    const v = await stored({ namespace: ns, scope: 'namespace', owner: '', key: 'shared' });
    expect(v!.data.toString('utf8')).toBe('42');
  });

  it('the three scopes are separate even with the same key', async () => {
    await e.deploy(ns, `id: scopes
states:
- id: set
  type: setter
  variables:
  - key: same
    scope: instance
    value: i
  - key: same
    scope: workflow
    value: w
  - key: same
    scope: namespace
    value: n
  transition: get-i
- id: get-i
  type: getter
  variables:
  - key: same
  transform: 'jq({i: .var.same})'
  transition: get-w
- id: get-w
  type: getter
  variables:
  - key: same
    scope: workflow
  transform: 'jq(. + {w: .var.same})'
  transition: get-n
- id: get-n
  type: getter
  variables:
  - key: same
    scope: namespace
  transform: 'jq({i: .i, w: .w, n: .var.same})'
`);
    const d = await e.run(ns, 'scopes', {});
    expect(d.output).toEqual({ i: 'i', w: 'w', n: 'n' });
  });

  it('a missing variable reads as null; several keys in one getter', async () => {
    await e.deploy(ns, `id: many
states:
- id: set
  type: setter
  variables:
  - key: a
    value: 1
  - key: b
    value: [true]
  transition: get
- id: get
  type: getter
  variables:
  - key: a
  - key: b
  - key: never-set
`);
    const d = await e.run(ns, 'many', {});
    expect(d.output).toEqual({ var: { a: 1, b: [true], 'never-set': null } });
  });

  it('setting null deletes the variable', async () => {
    await e.deploy(ns, setGet('deleter', 'workflow'));
    await e.run(ns, 'deleter', { set: true, value: 'there' });
    const ref: VariableRef = { namespace: ns, scope: 'workflow', owner: await wfUid(ns, 'deleter'), key: 'k' };
    expect(await stored(ref)).not.toBeNull();
    const d = await e.run(ns, 'deleter', { set: true, value: null });
    expect(d.status).toBe('complete');
    expect(d.output).toEqual({ got: null });
    expect(await stored(ref)).toBeNull();
    const listed = await variables.list(e.t.db, ns, 'workflow', ref.owner);
    expect(listed.items.map((i) => i.name)).not.toContain('k');
    // deleting what does not exist is fine
    expect((await e.run(ns, 'deleter', { set: true, value: null })).status).toBe('complete');
  });

  it('values of every JSON type round-trip', async () => {
    await e.deploy(ns, setGet('types', 'instance'));
    const values: Value[] = [0, -1.5, true, false, 'text', '', [], {}, [1, { a: null }], { nested: { deep: ['x'] } }];
    for (const value of values) {
      const d = await e.run(ns, 'types', { set: true, value });
      expect(d.output).toEqual({ got: value });
    }
  });

  it('mimeType is stored; a string under a text type keeps its bytes', async () => {
    await e.deploy(ns, `id: mime
states:
- id: set
  type: setter
  variables:
  - key: text
    scope: workflow
    mimeType: text/plain
    value: 'hello jq(.who)'
  - key: number-text
    scope: workflow
    mimeType: text/plain
    value: '42'
  - key: json
    scope: workflow
    value:
      a: 'jq(.who)'
  - key: explicit-json
    scope: workflow
    mimeType: application/json
    value: 'a string'
  transition: get
- id: get
  type: getter
  variables:
  - key: text
    scope: workflow
  - key: number-text
    scope: workflow
  - key: json
    scope: workflow
  - key: explicit-json
    scope: workflow
`);
    const d = await e.run(ns, 'mime', { who: 'world' });
    expect(d.status).toBe('complete');
    // a stored value is JSON when it parses, else text
    expect(d.output).toMatchObject({
      var: { text: 'hello world', 'number-text': 42, json: { a: 'world' }, 'explicit-json': 'a string' },
    });
    const owner = await wfUid(ns, 'mime');
    const text = await stored({ namespace: ns, scope: 'workflow', owner, key: 'text' });
    expect(text!.mimeType).toBe('text/plain');
    expect(text!.data.toString('utf8')).toBe('hello world');
    const json = await stored({ namespace: ns, scope: 'workflow', owner, key: 'json' });
    expect(json!.mimeType).toBe('application/json');
    expect(JSON.parse(json!.data.toString('utf8'))).toEqual({ a: 'world' });
    const ej = await stored({ namespace: ns, scope: 'workflow', owner, key: 'explicit-json' });
    expect(ej!.mimeType).toBe('application/json');
    expect(ej!.data.toString('utf8')).toBe('"a string"');
  });

  it('a value stored through the variables module (bytes, any type) is read by a getter', async () => {
    await e.deploy(ns, `id: reads-ns
states:
- id: get
  type: getter
  variables:
  - key: blob
    scope: namespace
  - key: doc
    scope: namespace
  - key: plain
    scope: namespace
`);
    const ref = (key: string): VariableRef => ({ namespace: ns, scope: 'namespace', owner: '', key });
    await variables.setValue(e.t.db, ref('blob'), Buffer.from([0xff, 0xfe, 0x00]), 'application/octet-stream');
    await variables.setValue(e.t.db, ref('doc'), Buffer.from('{"x":[1]}'), 'application/json');
    await variables.setValue(e.t.db, ref('plain'), Buffer.from('just words'), 'text/plain');
    const d = await e.run(ns, 'reads-ns', {});
    expect(d.status).toBe('complete');
    expect(d.output).toMatchObject({ var: { doc: { x: [1] }, plain: 'just words' } });
    // bytes that are not text come back in a form that keeps them (base64)
    expect((d.output as { var: { blob: unknown } }).var.blob).toBe(Buffer.from([0xff, 0xfe, 0x00]).toString('base64'));
  });

  it('updating a variable replaces its value and type', async () => {
    await e.deploy(ns, `id: update-text
states:
- id: set
  type: setter
  variables:
  - key: u
    scope: namespace
    mimeType: text/plain
    value: first
`);
    await e.deploy(ns, `id: update-json
states:
- id: set
  type: setter
  variables:
  - key: u
    scope: namespace
    value: 'jq(.value)'
`);
    const ref: VariableRef = { namespace: ns, scope: 'namespace', owner: '', key: 'u' };
    await e.run(ns, 'update-text', {});
    expect((await stored(ref))!.mimeType).toBe('text/plain');
    await e.run(ns, 'update-json', { value: { second: true } });
    const v = await stored(ref);
    expect(v!.mimeType).toBe('application/json');
    expect(JSON.parse(v!.data.toString('utf8'))).toEqual({ second: true });
  });

  it('workflow variables go with the workflow', async () => {
    await e.deploy(ns, setGet('transient', 'workflow'));
    await e.run(ns, 'transient', { set: true, value: 1 });
    const owner = await wfUid(ns, 'transient');
    expect(await stored({ namespace: ns, scope: 'workflow', owner, key: 'k' })).not.toBeNull();
    expect(await e.engine.deleteWorkflow(ns, 'transient')).toBe(true);
    expect(await stored({ namespace: ns, scope: 'workflow', owner, key: 'k' })).toBeNull();
    // a new workflow of the same name starts without them
    await e.deploy(ns, setGet('transient', 'workflow'));
    expect((await e.run(ns, 'transient', { set: false })).output).toEqual({ got: null });
  });

  it('namespace variables go with the namespace', async () => {
    const gone = freshNs('var-gone');
    await e.deploy(gone, setGet('ns-w', 'namespace'));
    await e.run(gone, 'ns-w', { set: true, value: 1 });
    expect(await stored({ namespace: gone, scope: 'namespace', owner: '', key: 'k' })).not.toBeNull();
    expect(await e.engine.deleteNamespace(gone)).toBe(true);
    expect(await stored({ namespace: gone, scope: 'namespace', owner: '', key: 'k' })).toBeNull();
  });

  it('a setter inside a subflow writes the child instance’s own instance scope', async () => {
    await e.deploy(ns, `id: child-sets
states:
- id: set
  type: setter
  variables:
  - key: mine
    value: child
`);
    await e.deploy(ns, `id: parent-reads
states:
- id: call
  type: action
  action:
    workflow: child-sets
  transition: get
- id: get
  type: getter
  variables:
  - key: mine
`);
    const d = await e.run(ns, 'parent-reads', {});
    expect(d.output).toMatchObject({ var: { mine: null } });
  });
});
