/** Deletes finished instances older than the retention period, with their logs and variables. */
import type { EngineDeps } from './deps.js';

const EVERY_MS = 10 * 60_000;

export class Retention {
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: EngineDeps) {}

  start(): void {
    const run = () => {
      this.sweep().catch((err: unknown) => this.deps.logger.error({ err }, 'retention sweep failed'));
    };
    // A random first delay spreads the sweeps of nodes started together.
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, EVERY_MS);
      this.timer.unref();
    }, Math.random() * 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** Returns how many instances were deleted. Deleting is idempotent, so nodes need not agree who runs it. */
  async sweep(): Promise<number> {
    const r = await this.deps.db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM instances WHERE end_time < now() - $1 * interval '1 millisecond' RETURNING id),
            l AS (DELETE FROM logs WHERE instance_id IN (SELECT id FROM gone)),
            v AS (DELETE FROM variables WHERE scope = 'instance' AND owner IN (SELECT id FROM gone))
       SELECT count(*)::int AS n FROM gone`,
      [this.deps.settings.retentionMs],
    );
    return r.rows[0]!.n;
  }
}
