/**
 * Scheduled starts. Each enabled workflow with a `scheduled` start has a row in `crons` with its
 * next tick, replaced in the transaction that changes the workflow. Every flow node runs a
 * CronTicker; a tick fires in the transaction that moves the row's next_tick on, with the row
 * locked, so it fires exactly once in the cluster. A node that was down across ticks fires the
 * latest missed one when it is at most `catchUpMs` old, and logs the ones it skips.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/index.js';
import type { JsonObject } from '../jq/index.js';
import * as logs from '../logs/index.js';
import type { WorkflowChange } from '../workflows/index.js';

/** What the ticker needs of the engine (the Engine class provides it). */
export interface CronStarter {
  startQueued(q: Queryable, req: { namespace: string; workflow: string; input: JsonObject; invokedBy: { kind: 'cron' } }): Promise<string | undefined>;
  queuedStarted(namespace: string, count: number): void;
}

const nextAfter = (cron: string, after: Date): Date | null => new Cron(cron, { paused: true }).nextRun(after);

/** Replaces the workflow's cron with what its (new) revision needs; a workflow hook. */
export async function syncCron(q: Queryable, change: WorkflowChange, now = new Date()): Promise<void> {
  const start = change.kind === 'deleted' ? undefined : change.workflow.start;
  if (!start || start.type !== 'scheduled' || !change.ref.active) {
    await q.query('DELETE FROM crons WHERE workflow_uid = $1', [change.ref.uid]);
    return;
  }
  const next = nextAfter(start.cron, now);
  if (!next) return;
  // The same cron keeps its pending tick: an update at the moment of a tick does not lose it.
  await q.query(
    `INSERT INTO crons (workflow_uid, namespace, workflow, cron, next_tick) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workflow_uid) DO UPDATE SET cron = EXCLUDED.cron,
       next_tick = CASE WHEN crons.cron = EXCLUDED.cron THEN crons.next_tick ELSE EXCLUDED.next_tick END`,
    [change.ref.uid, change.ref.namespace, change.ref.name, start.cron, next],
  );
}

interface Due {
  workflow_uid: string;
  namespace: string;
  workflow: string;
  cron: string;
  next_tick: Date;
}

export interface CronTickerOptions {
  db: Db;
  starter: CronStarter;
  logger: Logger;
  /** how old a missed tick may be and still fire (default 1 minute) */
  catchUpMs?: number;
  /** the longest sleep between looks at the table (default 1 s) */
  pollMs?: number;
  /** rows handled per transaction */
  batch?: number;
}

export class CronTicker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly catchUpMs: number;
  private readonly pollMs: number;
  private readonly batch: number;

  constructor(private readonly opts: CronTickerOptions) {
    this.catchUpMs = opts.catchUpMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.batch = opts.batch ?? 100;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.loop();
    }, ms);
  }

  private async loop(): Promise<void> {
    let wait = this.pollMs;
    try {
      while (!this.stopped && (await this.tick()) === this.batch);
      const { rows } = await this.opts.db.query<{ ms: number | null }>(
        `SELECT extract(epoch FROM (min(next_tick) - now())) * 1000 AS ms FROM crons`,
      );
      const ms = rows[0]?.ms;
      if (ms !== null && ms !== undefined) wait = Math.max(0, Math.min(wait, Number(ms)));
    } catch (err) {
      this.opts.logger.error({ err }, 'cron tick failed');
    }
    this.schedule(wait);
  }

  /**
   * Fires the ticks due at `now` (the clock is a parameter so tests can move it); returns how
   * many rows it handled (fired or skipped).
   */
  async tick(now = new Date()): Promise<number> {
    const started = new Map<string, number>();
    const handled = await this.opts.db.tx(async (q) => {
      const { rows } = await q.query<Due>(
        `SELECT workflow_uid, namespace, workflow, cron, next_tick FROM crons
          WHERE next_tick <= $1 ORDER BY next_tick LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, this.batch],
      );
      for (const row of rows) {
        // The latest tick not after now, and how many before it were missed.
        let latest = new Date(row.next_tick);
        let missed = 0;
        for (let t = nextAfter(row.cron, latest); t && t <= now && missed < 100_000; t = nextAfter(row.cron, t)) {
          latest = t;
          missed++;
        }
        const fire = now.getTime() - latest.getTime() <= this.catchUpMs;
        const skipped = missed + (fire ? 0 : 1);
        if (skipped > 0) {
          await logs.append(q, [
            {
              namespace: row.namespace,
              instanceId: null,
              level: 'warn',
              msg: `workflow ${row.workflow}: skipped ${skipped} scheduled tick(s) older than the catch-up window (${this.catchUpMs / 1000} s), the last at ${latest.toISOString()}`,
            },
          ]);
        }
        if (fire) {
          const id = await this.opts.starter.startQueued(q, { namespace: row.namespace, workflow: row.workflow, input: {}, invokedBy: { kind: 'cron' } });
          if (id) started.set(row.namespace, (started.get(row.namespace) ?? 0) + 1);
        }
        const next = nextAfter(row.cron, now);
        if (next) await q.query('UPDATE crons SET next_tick = $2 WHERE workflow_uid = $1', [row.workflow_uid, next]);
        else await q.query('DELETE FROM crons WHERE workflow_uid = $1', [row.workflow_uid]);
      }
      return rows.length;
    });
    for (const [ns, n] of started) this.opts.starter.queuedStarted(ns, n);
    return handled;
  }
}
