/**
 * Two `direktiv -t w` processes on one PostgreSQL database share the work queue: 1,000
 * instances started through both APIs each complete exactly once with both nodes doing work,
 * and when one node is SIGKILLed mid-run the other finishes everything, exactly once.
 *
 * Which node ran a state is read from the database: createClusterDb() makes every log line
 * record the application_name of the connection that wrote it, and each node connects as its
 * own name. A state's entry line is written in the transaction that ran it, so the per-node
 * counts of "Running state logic" lines are the states each node committed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  chainYaml,
  createClusterDb,
  createNamespace,
  deployWorkflow,
  entriesPerNode,
  exactlyOnceProblems,
  execute,
  expectedRun,
  globalProblems,
  inParallel,
  killAllNodes,
  startNode,
  statusCounts,
  waitForBackendsGone,
  waitUntil,
} from './helpers.js';
import type { ChainSpec, ClusterDb, ServerNode } from './helpers.js';

const NS = 'pair';
const COUNT = 1000;

/** Splits `count` execute calls evenly across the nodes' APIs (alternating), 16 in flight. */
async function startInstances(nodes: ServerNode[], wf: string, count: number): Promise<string[]> {
  return inParallel(
    Array.from({ length: count }, (_, i) => async () => {
      const node = nodes[i % nodes.length]!;
      try {
        return await execute(node.url, NS, wf);
      } catch (err) {
        throw new Error(`${String(err)}\n${node.name} logged:\n${node.errors()}`);
      }
    }),
    16,
  );
}

async function startPair(dbName: string): Promise<[ServerNode, ServerNode]> {
  const [a, b] = await Promise.all([
    startNode(dbName, { name: 'node-a', workers: 4 }),
    startNode(dbName, { name: 'node-b', workers: 4 }),
  ]);
  return [a, b];
}

describe('two nodes on one database (PostgreSQL, separate processes)', () => {
  let db: ClusterDb | undefined;

  afterEach(async () => {
    await killAllNodes();
    await db?.drop();
    db = undefined;
  });

  it(
    'share 1,000 instances: both nodes run states, and every instance completes exactly once',
    async () => {
      const t0 = Date.now();
      const timing: Record<string, number> = {};
      db = await createClusterDb();
      const { client } = db;
      const [a, b] = await startPair(db.name);
      timing.started = Date.now() - t0;
      // The states before the delay run in the execute request on the node that took it; the
      // states after it run on whichever node's worker claims the wake-up.
      const spec: ChainSpec = {
        id: 'spread',
        states: [{ kind: 'noop' }, { kind: 'noop' }, { kind: 'delay', duration: 'PT0.5S' }, { kind: 'noop' }, { kind: 'noop' }, { kind: 'noop' }],
      };
      await createNamespace(a.url, NS);
      await deployWorkflow(b.url, NS, chainYaml(spec));
      const cpu0 = { a: a.cpuMs()!, b: b.cpuMs()! };

      const ids = await startInstances([a, b], spec.id, COUNT);
      timing.submitted = Date.now() - t0;
      await waitUntil(
        async () => (await statusCounts(client)).pending === undefined,
        60_000,
        async () => `still pending: ${JSON.stringify(await statusCounts(client))}`,
      );
      timing.allDone = Date.now() - t0;
      const cpu = { a: a.cpuMs()! - cpu0.a, b: b.cpuMs()! - cpu0.b };

      const problems = await exactlyOnceProblems(client, ids, () => expectedRun(spec));
      problems.push(...(await globalProblems(client, ids)));
      const begun = await entriesPerNode(client, 'Beginning workflow%');
      const afterDelay = await entriesPerNode(client, 'Running state logic -- s4:4 %');
      const all = await entriesPerNode(client);
      console.log(JSON.stringify({ timing, cpuMs: cpu, begunByNode: begun, wokenByNode: afterDelay, entriesByNode: all }));

      expect(problems).toEqual([]);
      expect(ids).toHaveLength(COUNT);
      // Each API started its half (those states ran in its request transaction)…
      expect(begun).toEqual({ 'node-a': COUNT / 2, 'node-b': COUNT / 2 });
      // …and both nodes' workers claimed wake-ups from the shared queue.
      expect(afterDelay['node-a']).toBeGreaterThan(0);
      expect(afterDelay['node-b']).toBeGreaterThan(0);
      expect((afterDelay['node-a'] ?? 0) + (afterDelay['node-b'] ?? 0)).toBe(COUNT);
      expect(cpu.a).toBeGreaterThan(0);
      expect(cpu.b).toBeGreaterThan(0);
    },
    120_000,
  );

  it(
    'SIGKILL of one node mid-run: the survivor finishes all 1,000 instances, exactly once',
    async () => {
      const t0 = Date.now();
      const timing: Record<string, number> = {};
      db = await createClusterDb();
      const { client } = db;
      const [a, b] = await startPair(db.name);
      timing.started = Date.now() - t0;
      const spec: ChainSpec = {
        id: 'relay',
        states: [
          { kind: 'noop' },
          { kind: 'delay', duration: 'PT1.5S' },
          { kind: 'noop' },
          { kind: 'delay', duration: 'PT1.5S' },
          { kind: 'noop' },
          { kind: 'noop' },
        ],
      };
      await createNamespace(b.url, NS);
      await deployWorkflow(a.url, NS, chainYaml(spec));

      const ids = await startInstances([a, b], spec.id, COUNT);
      timing.submitted = Date.now() - t0;
      // Mid-run: node-b's workers have been taking wake-ups, and many instances are still pending.
      await waitUntil(
        async () => ((await entriesPerNode(client, 'Running state logic -- s3:3 %'))['node-b'] ?? 0) > 0,
        20_000,
        async () => `node-b ran no woken state: ${JSON.stringify(await entriesPerNode(client))}`,
        50,
      );
      const activity = await client.query<{ state: string; n: number }>(
        `SELECT state, count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'node-b' GROUP BY state`,
      );
      expect(await b.kill('SIGKILL')).toBe('SIGKILL');
      timing.killed = Date.now() - t0;
      await waitForBackendsGone(client, 'node-b');
      const atKill = await client.query<{ step: number; n: number }>(
        `SELECT step, count(*)::int AS n FROM instances WHERE status = 'pending' GROUP BY 1 ORDER BY 1`,
      );
      const pendingAtKill = atKill.rows.reduce((s, r) => s + r.n, 0);
      const byNodeAtKill = await entriesPerNode(client);
      expect(pendingAtKill, 'instances still pending when node-b was killed').toBeGreaterThan(0);

      await waitUntil(
        async () => (await statusCounts(client)).pending === undefined,
        60_000,
        async () => `still pending: ${JSON.stringify(await statusCounts(client))}\nnode-a:\n${a.tail()}`,
      );
      timing.allDone = Date.now() - t0;

      const problems = await exactlyOnceProblems(client, ids, () => expectedRun(spec));
      problems.push(...(await globalProblems(client, ids)));
      const byNode = await entriesPerNode(client);
      console.log(
        JSON.stringify({
          timing,
          nodeBConnectionsAtKill: activity.rows,
          pendingStepsAtKill: atKill.rows,
          entriesByNodeAtKill: byNodeAtKill,
          entriesByNodeAtEnd: byNode,
        }),
      );
      expect(problems).toEqual([]);
      expect(ids).toHaveLength(COUNT);
      // node-b wrote nothing after its death; node-a ran every state left.
      expect(byNode['node-b']).toBe(byNodeAtKill['node-b']);
      expect(byNode['node-a']! - byNodeAtKill['node-a']!).toBeGreaterThan(0);
      expect((byNode['node-a'] ?? 0) + (byNode['node-b'] ?? 0)).toBe(COUNT * spec.states.length);
      expect(a.proc.exitCode).toBeNull();
    },
    120_000,
  );
});
