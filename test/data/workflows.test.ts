import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/index.js';
import * as namespaces from '../../src/namespaces/index.js';
import * as variables from '../../src/variables/index.js';
import * as workflows from '../../src/workflows/index.js';
import type { WorkflowChange } from '../../src/workflows/index.js';
import { BACKENDS, createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

const wf = (id: string, body = '- id: a\n  type: noop\n', extra = '') => `id: ${id}\n${extra}states:\n${body}`;

describe.each(BACKENDS)('workflows on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(backend);
    await namespaces.create(t.db, 'wfs');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates revision 1 from YAML and reads it back with its source', async () => {
    const source = wf('first', undefined, 'description: the first one\n');
    const saved = await t.db.tx((q) => workflows.create(q, 'wfs', source));
    expect(saved.warnings).toEqual([]);
    expect(saved.workflow).toMatchObject({ id: 'first', namespace: 'wfs', revision: 1, active: true, description: 'the first one', source });
    const got = await workflows.get(t.db, 'wfs', 'first');
    expect(got).toEqual(saved.workflow);
    expect(await workflows.get(t.db, 'wfs', 'absent')).toBeNull();
    const ref = await workflows.findByName(t.db, 'wfs', 'first');
    expect(ref).toEqual({ uid: saved.workflow.uid, namespace: 'wfs', name: 'first', revision: 1, active: true });
  });

  it('stores nothing for an invalid workflow and returns every problem with its position', async () => {
    const source = 'id: broken\nstates:\n- id: a\n  type: noop\n  transition: nowhere\n  bogus: 1\n';
    const err = await t.db.tx((q) => workflows.create(q, 'wfs', source)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(workflows.WorkflowInvalidError);
    const problems = (err as workflows.WorkflowInvalidError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ path: 'states[0].transition', line: 5, column: 15 });
    expect(problems[1]).toMatchObject({ path: 'states[0].bogus', line: 6, column: 3 });
    expect(await workflows.findByName(t.db, 'wfs', 'broken')).toBeNull();
  });

  it('refuses duplicates, missing namespaces and creates disabled on request', async () => {
    await t.db.tx((q) => workflows.create(q, 'wfs', wf('dup')));
    await expect(t.db.tx((q) => workflows.create(q, 'wfs', wf('dup')))).rejects.toThrow(workflows.WorkflowExistsError);
    await expect(t.db.tx((q) => workflows.create(q, 'nons', wf('x-y')))).rejects.toThrow(namespaces.NamespaceNotFoundError);
    const off = await t.db.tx((q) => workflows.create(q, 'wfs', wf('off'), { active: false }));
    expect(off.workflow.active).toBe(false);
  });

  it('returns warnings (an unreachable state) but stores the workflow', async () => {
    const saved = await t.db.tx((q) =>
      workflows.create(q, 'wfs', wf('warned', '- id: a\n  type: noop\n- id: b\n  type: noop\n')),
    );
    expect(saved.warnings).toHaveLength(1);
    expect(saved.warnings[0]).toMatchObject({ path: 'states[1]' });
  });

  it('updates into new revisions, checks the expected revision, and keeps old revisions loadable', async () => {
    const created = await t.db.tx((q) => workflows.create(q, 'wfs', wf('upd')));
    const uid = created.workflow.uid;
    const v2 = await t.db.tx((q) =>
      workflows.update(q, 'wfs', 'upd', wf('upd', '- id: b\n  type: noop\n', 'description: two\n'), { expectedRevision: 1 }),
    );
    expect(v2.workflow).toMatchObject({ uid, revision: 2, description: 'two' });
    await expect(
      t.db.tx((q) => workflows.update(q, 'wfs', 'upd', wf('upd'), { expectedRevision: 1 })),
    ).rejects.toThrow(workflows.RevisionConflictError);
    const v3 = await t.db.tx((q) => workflows.update(q, 'wfs', 'upd', wf('upd', '- id: c\n  type: noop\n')));
    expect(v3.workflow.revision).toBe(3);
    workflows.clearModelCache();
    expect((await workflows.loadRevision(t.db, uid, 1))!.states[0]!.id).toBe('a');
    expect((await workflows.loadRevision(t.db, uid, 2))!.states[0]!.id).toBe('b');
    expect((await workflows.loadRevision(t.db, uid, 3))!.states[0]!.id).toBe('c');
    expect(await workflows.loadRevision(t.db, uid, 4)).toBeNull();
    const cached = await workflows.loadRevision(t.db, uid, 2);
    expect(await workflows.loadRevision(t.db, uid, 2)).toBe(cached);
    const revisions = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_revisions WHERE workflow_uid = $1', [uid]);
    expect(revisions.rows[0]!.n).toBe(3);
  });

  it('refuses renames, invalid updates and unknown workflows', async () => {
    await t.db.tx((q) => workflows.create(q, 'wfs', wf('fixed')));
    const rename = await t.db.tx((q) => workflows.update(q, 'wfs', 'fixed', wf('other'))).catch((e: unknown) => e);
    expect(rename).toBeInstanceOf(workflows.WorkflowInvalidError);
    expect((rename as workflows.WorkflowInvalidError).problems[0]!.path).toBe('id');
    await expect(t.db.tx((q) => workflows.update(q, 'wfs', 'fixed', 'id: fixed\n'))).rejects.toThrow(
      workflows.WorkflowInvalidError,
    );
    await expect(t.db.tx((q) => workflows.update(q, 'wfs', 'ghost', wf('ghost')))).rejects.toThrow(
      workflows.WorkflowNotFoundError,
    );
    expect((await workflows.get(t.db, 'wfs', 'fixed'))!.revision).toBe(1);
  });

  it('lists in name order with paging', async () => {
    await namespaces.create(t.db, 'listing');
    for (const name of ['cc', 'aa', 'bb'].map((n) => `w${n}`)) await t.db.tx((q) => workflows.create(q, 'listing', wf(name)));
    const all = await workflows.list(t.db, 'listing', { offset: 0, limit: 50 });
    expect(all.total).toBe(3);
    expect(all.items.map((w) => w.id)).toEqual(['waa', 'wbb', 'wcc']);
    expect(Object.keys(all.items[0]!).sort()).toEqual(['active', 'createdAt', 'description', 'id', 'logToEvents', 'revision', 'uid', 'updatedAt']);
    expect((await workflows.list(t.db, 'listing', { offset: 2, limit: 5 })).items.map((w) => w.id)).toEqual(['wcc']);
  });

  it('toggles, removes with workflow variables, and runs the change hooks in the transaction', async () => {
    const changes: string[] = [];
    const hook = async (q: Queryable, c: WorkflowChange) => {
      changes.push(`${c.kind}:${c.ref.name}:${c.ref.revision}:${c.ref.active}`);
      await q.query('SELECT 1');
      if (c.ref.name === 'vetoed') throw new Error('hook refused');
    };
    const off = workflows.onWorkflowChange(hook);
    try {
      const created = await t.db.tx((q) => workflows.create(q, 'wfs', wf('hooked')));
      await t.db.tx((q) => workflows.update(q, 'wfs', 'hooked', wf('hooked')));
      const toggled = await t.db.tx((q) => workflows.changeSettings(q, 'wfs', 'hooked', { active: false }));
      expect(toggled).toMatchObject({ id: 'hooked', active: false, revision: 2 });
      expect((await workflows.findByName(t.db, 'wfs', 'hooked'))!.active).toBe(false);
      const uid = created.workflow.uid;
      await variables.setValue(t.db, { namespace: 'wfs', scope: 'workflow', owner: uid, key: 'v' }, Buffer.from('x'), 'text/plain');
      await variables.setValue(t.db, { namespace: 'wfs', scope: 'namespace', owner: '', key: 'keep' }, Buffer.from('x'), 'text/plain');
      expect(await t.db.tx((q) => workflows.remove(q, 'wfs', 'hooked'))).toBe(true);
      expect(await t.db.tx((q) => workflows.remove(q, 'wfs', 'hooked'))).toBe(false);
      expect(await workflows.findByName(t.db, 'wfs', 'hooked')).toBeNull();
      expect((await variables.list(t.db, 'wfs', 'workflow', uid)).total).toBe(0);
      expect((await variables.list(t.db, 'wfs', 'namespace', '')).total).toBe(1);
      await expect(t.db.tx((q) => workflows.changeSettings(q, 'wfs', 'hooked', { active: true }))).rejects.toThrow(
        workflows.WorkflowNotFoundError,
      );
      // A hook that throws rolls the change back.
      await expect(t.db.tx((q) => workflows.create(q, 'wfs', wf('vetoed')))).rejects.toThrow('hook refused');
      expect(await workflows.findByName(t.db, 'wfs', 'vetoed')).toBeNull();
    } finally {
      off();
    }
    expect(changes).toEqual([
      'created:hooked:1:true',
      'updated:hooked:2:true',
      'toggled:hooked:2:false',
      'deleted:hooked:2:false',
      'created:vetoed:1:true',
    ]);
  });
});
