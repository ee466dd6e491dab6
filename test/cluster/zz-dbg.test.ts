import { it } from 'vitest';
import { createClusterDb, createNamespace, deployWorkflow, execute, killAllNodes, startNode, chainYaml, inParallel } from './helpers.js';
it('dbg', async () => {
  const db = await createClusterDb();
  const [a, b] = await Promise.all([startNode(db.name, { name: 'node-a', workers: 4 }), startNode(db.name, { name: 'node-b', workers: 4 })]);
  await createNamespace(b.url, 'pair');
  await deployWorkflow(a.url, 'pair', chainYaml({ id: 'relay', states: [{ kind: 'noop' }, { kind: 'delay', duration: 'PT1S' }, { kind: 'noop' }] }));
  const errs: string[] = [];
  await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    try { await execute((i % 2 ? a : b).url, 'pair', 'relay'); } catch (e) { errs.push(String(e)); }
  }));
  console.log(errs.length, errs[0]);
  await new Promise((r) => setTimeout(r, 500));
  for (const n of [a, b]) console.log(n.name, n.tail(5000).split('\n').filter((l) => /"level":(40|50|60)/.test(l) || /statusCode":500/.test(l)).join('\n'));
  await killAllNodes(); await db.drop();
}, 60000);
