import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as namespaces from '../../src/namespaces/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

describe('namespace names', () => {
  it.each(['abc', 'a-b', 'a.b_c-9', 'x'.repeat(36), 'n1'.padEnd(10, 'z')])('accepts %s', (name) => {
    expect(namespaces.nameProblem('namespace', name)).toBeUndefined();
  });
  it.each(['ab', 'Abc', '1abc', 'abc-', 'a b c', 'x'.repeat(37), 'ab/c', '', 'abç'])('refuses %j with what is allowed', (name) => {
    const problem = namespaces.nameProblem('namespace', name);
    expect(problem).toContain('invalid namespace name');
    expect(problem).toContain('3 to 36 characters');
    expect(() => namespaces.checkName('namespace', name)).toThrow(namespaces.InvalidNameError);
  });
});

describe.each(BACKENDS)('namespaces on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(backend);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates, lists in name order with paging, and refuses duplicates', async () => {
    const created = await namespaces.create(t.db, 'beta');
    expect(created.name).toBe('beta');
    expect(Date.parse(created.createdAt)).not.toBeNaN();
    await namespaces.create(t.db, 'alpha');
    await namespaces.create(t.db, 'gamma');
    await expect(namespaces.create(t.db, 'beta')).rejects.toThrow(namespaces.NamespaceExistsError);
    await expect(namespaces.create(t.db, 'B')).rejects.toThrow(namespaces.InvalidNameError);

    const all = await namespaces.list(t.db, { offset: 0, limit: 50 });
    expect(all.total).toBe(3);
    expect(all.items.map((n) => n.name)).toEqual(['alpha', 'beta', 'gamma']);
    const page = await namespaces.list(t.db, { offset: 1, limit: 1 });
    expect(page).toMatchObject({ total: 3, items: [{ name: 'beta' }] });
  });

  it('answers exists and requireNamespace', async () => {
    await namespaces.create(t.db, 'here');
    expect(await namespaces.exists(t.db, 'here')).toBe(true);
    expect(await namespaces.exists(t.db, 'nowhere')).toBe(false);
    await expect(namespaces.requireNamespace(t.db, 'nowhere')).rejects.toThrow(namespaces.NamespaceNotFoundError);
    expect(await namespaces.get(t.db, 'here')).toMatchObject({ name: 'here' });
    expect(await namespaces.get(t.db, 'nowhere')).toBeNull();
  });

  it('a duplicate inside a transaction does not abort it', async () => {
    await t.db.tx(async (q) => {
      await namespaces.create(q, 'txone');
      await expect(namespaces.create(q, 'txone')).rejects.toThrow(namespaces.NamespaceExistsError);
      await namespaces.create(q, 'txtwo');
    });
    expect(await namespaces.exists(t.db, 'txtwo')).toBe(true);
  });
});
