/** Deletes finished instances older than the retention period, with their logs and variables. */
import { every } from '../util/periodic.js';
import type { EngineDeps } from './deps.js';

const EVERY_MS = 10 * 60_000;

export class Retention {
  private cancel?: () => void;

  constructor(private readonly deps: EngineDeps) {}

  start(): void {
    this.cancel = every(EVERY_MS, () => this.sweep(), (err) => this.deps.logger.error({ err }, 'retention sweep failed'));
  }

  stop(): void {
    this.cancel?.();
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
