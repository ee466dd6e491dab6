/**
 * The worker pool does not lose a nudge that arrives while a worker is looking for work: the
 * worker looks again at once instead of sleeping until the next poll. (Before the fix, work
 * queued during an empty claim waited up to PollInterval: event-started instances showed a p99
 * of one second.) The database is a stand-in that answers the pool's two queries, so the test
 * controls exactly when the nudge arrives; the poll interval is a minute, so a lost nudge makes
 * the test time out.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Db, Queryable } from '../../src/db/index.js';
import { DEFAULT_SETTINGS } from '../../src/engine/index.js';
import type { EngineDeps } from '../../src/engine/index.js';
import { WorkerPool } from '../../src/engine/worker.js';

describe('worker pool nudges', () => {
  it('a nudge during an empty claim makes the worker claim again at once', async () => {
    let claims = 0;
    const nudge = { pool: undefined as WorkerPool | undefined };
    let secondClaim!: () => void;
    const claimedAgain = new Promise<void>((resolve) => (secondClaim = resolve));
    const q: Queryable = {
      query<R>(text: string) {
        if (text.includes('FROM work w JOIN instances')) {
          claims++;
          // New work is queued (and the pool nudged) while this claim finds none.
          if (claims === 1) nudge.pool!.nudge();
          else secondClaim();
        }
        return Promise.resolve({ rows: (text.includes('min(run_at)') ? [{ ms: null }] : []) as R[], rowCount: 0 });
      },
      exec: () => Promise.resolve(),
    };
    const db = { kind: 'postgres', concurrency: 1, tx: <T>(fn: (q: Queryable) => Promise<T>) => fn(q), ...q } as unknown as Db;
    const deps = { db, settings: { ...DEFAULT_SETTINGS, workers: 1, pollMs: 60_000 }, logger: pino({ level: 'silent' }) } as unknown as EngineDeps;
    const pool = new WorkerPool(deps, () => undefined);
    nudge.pool = pool;
    pool.start();
    await claimedAgain;
    expect(claims).toBeGreaterThanOrEqual(2);
    await pool.stop();
  });
});
