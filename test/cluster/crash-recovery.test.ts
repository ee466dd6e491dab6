/**
 * Crash recovery: SIGKILL of the only server while 200 instances sleep in `delay` states and
 * 200 run long noop chains; a new process on the same database finishes every instance, and
 * each state ran in exactly one committed transaction.
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
import type { ChainSpec, ClusterDb } from './helpers.js';

const NS = 'crash';
const COUNT = 200;
/**
 * Longer than the engine's chain limit (100 states per transaction), so a chain runs in three
 * transactions: the first 100 states in the execute request, then two queued `run` items.
 */
const CHAIN: ChainSpec = { id: 'chain', states: Array.from({ length: 250 }, () => ({ kind: 'noop' as const })) };
const SLEEPER: ChainSpec = {
  id: 'sleeper',
  states: [{ kind: 'noop' }, { kind: 'delay', duration: 'PT3S' }, { kind: 'noop' }],
};

describe('crash recovery (PostgreSQL, separate processes)', () => {
  let db: ClusterDb | undefined;

  afterEach(async () => {
    await killAllNodes();
    await db?.drop();
    db = undefined;
  });

  it(
    'kill -9 with 200 delays and 200 noop chains in flight: after a restart every instance completes exactly once',
    async () => {
      const t0 = Date.now();
      const timing: Record<string, number> = {};
      db = await createClusterDb();
      const { client } = db;

      // One worker: the chains' queued work piles up behind the API while instances are started.
      const a = await startNode(db.name, { name: 'node-a', workers: 1 });
      timing.startA = Date.now() - t0;
      await createNamespace(a.url, NS);
      await deployWorkflow(a.url, NS, chainYaml(CHAIN));
      await deployWorkflow(a.url, NS, chainYaml(SLEEPER));

      const chains = await inParallel(
        Array.from({ length: COUNT }, () => () => execute(a.url, NS, CHAIN.id)),
        8,
      );
      timing.chainsStarted = Date.now() - t0;
      const sleepers = await inParallel(
        Array.from({ length: COUNT }, () => () => execute(a.url, NS, SLEEPER.id)),
        8,
      );
      timing.sleepersStarted = Date.now() - t0;
      const ids = [...chains, ...sleepers];

      // In flight right now: sleepers waiting for their timer, chains part way through.
      const before = await client.query<{ workflow: string; step: number; n: number }>(
        `SELECT workflow, step, count(*)::int AS n FROM instances WHERE status = 'pending' GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      const asleep = before.rows.filter((r) => r.workflow === SLEEPER.id && r.step === 2).reduce((s, r) => s + r.n, 0);
      const partial = before.rows
        .filter((r) => r.workflow === CHAIN.id && r.step > 0 && r.step < CHAIN.states.length)
        .reduce((s, r) => s + r.n, 0);
      expect(asleep, 'sleepers pending in their delay at the kill').toBeGreaterThan(0);
      expect(partial, 'chains part way through at the kill').toBeGreaterThan(0);
      // Aim the kill at an open transaction of node-a's worker (it holds a claimed work item
      // and its instance locked), so that the crash also throws away uncommitted state logic.
      // Best effort: the kill goes ahead after 5 s either way.
      let inTransaction = false;
      await waitUntil(
        async () => {
          const r = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'node-a'
                AND state IN ('active', 'idle in transaction') AND backend_xid IS NOT NULL`,
          );
          inTransaction = r.rows[0]!.n > 0;
          return inTransaction;
        },
        5_000,
        () => '',
        2,
      ).catch(() => undefined);

      expect(await a.kill('SIGKILL')).toBe('SIGKILL');
      timing.killed = Date.now() - t0;
      await waitForBackendsGone(client, 'node-a');
      const atKill = await client.query<{ step: number; n: number }>(
        `SELECT step, count(*)::int AS n FROM instances WHERE workflow = $1 AND status = 'pending' GROUP BY 1 ORDER BY 1`,
        [CHAIN.id],
      );
      const doneByA = await entriesPerNode(client);

      const b = await startNode(db.name, { name: 'node-b' });
      timing.startB = Date.now() - t0;
      await waitUntil(
        async () => (await statusCounts(client)).pending === undefined,
        60_000,
        async () => `still pending: ${JSON.stringify(await statusCounts(client))}\nnode-b:\n${b.tail()}`,
      );
      timing.allDone = Date.now() - t0;

      const problems = await exactlyOnceProblems(client, ids, (wf) => expectedRun(wf === CHAIN.id ? CHAIN : SLEEPER));
      problems.push(...(await globalProblems(client, ids)));
      const perNode = await entriesPerNode(client);
      console.log(
        JSON.stringify({
          timing,
          inFlightAtKill: { asleep, partialChains: partial, chainSteps: atKill.rows },
          killedDuringTransaction: inTransaction,
          stateEntriesByNodeAtKill: doneByA,
          stateEntriesByNodeAtEnd: perNode,
        }),
      );
      expect(problems).toEqual([]);
      expect(ids).toHaveLength(2 * COUNT);
      // The restarted node did the rest: both processes committed state entries.
      expect(perNode['node-a']).toBeGreaterThan(0);
      expect(perNode['node-b']).toBeGreaterThan(0);
      expect((perNode['node-a'] ?? 0) + (perNode['node-b'] ?? 0)).toBe(
        COUNT * (CHAIN.states.length + SLEEPER.states.length),
      );
    },
    120_000,
  );
});
