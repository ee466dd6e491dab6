/**
 * The validate state (language reference §6): JSON Schema over `subject` (default: the whole
 * data), draft 2020-12 and 07, formats such as `email`; failure → the catchable
 * direktiv.schema.failed with every reason logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { freshNs, logEntries } from './helpers.js';

describe.each(BACKENDS)('validate on %s', (backend) => {
  let e: TestEngine;
  const ns = freshNs('val');
  beforeAll(async () => {
    e = await startTestEngine(backend);
    await e.deploy(ns, `id: person
states:
- id: check
  type: validate
  schema:
    type: object
    required: [name, age]
    properties:
      name:
        type: string
      age:
        type: integer
        minimum: 0
  transform: 'jq(. + {valid: true})'
  catch:
  - error: direktiv.schema.*
    transition: invalid
- id: invalid
  type: noop
  transform: 'jq({valid: false, error: .error})'
`);
  });
  afterAll(async () => {
    await e.stop();
  });

  it('valid data passes and the state goes on (the subject defaults to the whole data)', async () => {
    const d = await e.run(ns, 'person', { name: 'ann', age: 3 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['check']);
    expect(d.output).toEqual({ name: 'ann', age: 3, valid: true });
  });

  it('invalid data raises the catchable direktiv.schema.failed', async () => {
    const d = await e.run(ns, 'person', { name: 'ann', age: -1 });
    expect(d.status).toBe('complete');
    expect(d.flow).toEqual(['check', 'invalid']);
    const out = d.output as { valid: boolean; error: { code: string; msg: string } };
    expect(out.valid).toBe(false);
    expect(out.error.code).toBe('direktiv.schema.failed');
    expect(out.error.msg.length).toBeGreaterThan(0);
  });

  it('every reason is logged', async () => {
    const d = await e.run(ns, 'person', { age: 'old' });
    const entries = await logEntries(e, d.id);
    const lines = entries.map((l) => l.msg);
    const reasons = lines.filter((l) => /name/.test(l) && /required/i.test(l));
    expect(reasons.length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => /age/.test(l) && /integer/.test(l))).toBe(true);
  });

  it('uncaught, a schema failure fails the instance with direktiv.schema.failed', async () => {
    await e.deploy(ns, `id: strict
states:
- id: check
  type: validate
  schema:
    type: object
    properties:
      n:
        type: number
`);
    const d = await e.run(ns, 'strict', { n: 'x' });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.schema.failed');
    expect(d.errorMessage).toBeTruthy();
  });

  it('subject selects what is validated, of any JSON type', async () => {
    await e.deploy(ns, `id: email
states:
- id: check
  type: validate
  subject: 'jq(.email)'
  schema:
    type: string
    format: email
  catch:
  - error: direktiv.schema.failed
    transition: bad
- id: bad
  type: noop
  transform:
    bad: true
`);
    const ok = await e.run(ns, 'email', { email: 'ann@example.com' });
    expect(ok.flow).toEqual(['check']);
    expect(ok.output).toEqual({ email: 'ann@example.com' });
    const bad = await e.run(ns, 'email', { email: 'not-an-email' });
    expect(bad.flow).toEqual(['check', 'bad']);
    expect(bad.output).toEqual({ bad: true });
  });

  it('a subject template map is validated as built', async () => {
    await e.deploy(ns, `id: subject-map
states:
- id: check
  type: validate
  subject:
    n: 'jq(.a + .b)'
  schema:
    type: object
    properties:
      n:
        maximum: 10
`);
    expect((await e.run(ns, 'subject-map', { a: 1, b: 2 })).status).toBe('complete');
    const d = await e.run(ns, 'subject-map', { a: 10, b: 2 });
    expect(d.status).toBe('failed');
    expect(d.errorCode).toBe('direktiv.schema.failed');
  });

  it('draft 2020-12 keywords (prefixItems, dependentRequired)', async () => {
    await e.deploy(ns, `id: draft2020
states:
- id: check
  type: validate
  schema:
    $schema: https://json-schema.org/draft/2020-12/schema
    type: object
    properties:
      pair:
        type: array
        prefixItems:
        - type: string
        - type: number
        items: false
    dependentRequired:
      card: [billing]
`);
    expect((await e.run(ns, 'draft2020', { pair: ['a', 1] })).status).toBe('complete');
    expect((await e.run(ns, 'draft2020', { pair: ['a', 1, 2] })).errorCode).toBe('direktiv.schema.failed');
    expect((await e.run(ns, 'draft2020', { pair: [1, 'a'] })).errorCode).toBe('direktiv.schema.failed');
    expect((await e.run(ns, 'draft2020', { card: 1 })).errorCode).toBe('direktiv.schema.failed');
    expect((await e.run(ns, 'draft2020', { card: 1, billing: 2 })).status).toBe('complete');
  });

  it('draft-07 schemas (array items as a tuple, dependencies)', async () => {
    await e.deploy(ns, `id: draft07
states:
- id: check
  type: validate
  schema:
    $schema: http://json-schema.org/draft-07/schema#
    type: object
    properties:
      pair:
        type: array
        items:
        - type: string
        - type: number
        additionalItems: false
    dependencies:
      card: [billing]
`);
    expect((await e.run(ns, 'draft07', { pair: ['a', 1] })).status).toBe('complete');
    expect((await e.run(ns, 'draft07', { pair: ['a', 1, 2] })).errorCode).toBe('direktiv.schema.failed');
    expect((await e.run(ns, 'draft07', { card: 1 })).errorCode).toBe('direktiv.schema.failed');
  });

  it('formats are checked (date-time, uri, ipv4)', async () => {
    await e.deploy(ns, `id: formats
states:
- id: check
  type: validate
  schema:
    type: object
    properties:
      when:
        type: string
        format: date-time
      link:
        type: string
        format: uri
      ip:
        type: string
        format: ipv4
`);
    expect((await e.run(ns, 'formats', { when: '2021-06-01T10:00:00Z', link: 'https://x.io/a', ip: '10.0.0.1' })).status).toBe('complete');
    expect((await e.run(ns, 'formats', { when: 'yesterday' })).errorCode).toBe('direktiv.schema.failed');
    expect((await e.run(ns, 'formats', { link: 'not a uri' })).errorCode).toBe('direktiv.schema.failed');
    expect((await e.run(ns, 'formats', { ip: '999.1.1.1' })).errorCode).toBe('direktiv.schema.failed');
  });

  it('validate does not change the data', async () => {
    await e.deploy(ns, `id: unchanged
states:
- id: check
  type: validate
  schema:
    type: object
    properties:
      a:
        default: 5
`);
    const d = await e.run(ns, 'unchanged', { b: 1 });
    expect(d.output).toEqual({ b: 1 });
  });
});
