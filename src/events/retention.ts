/**
 * Received events are kept for `[Engine] EventRetention`: the history, replays and duplicate
 * detection (a duplicate is accepted once within the retention) reach that far back.
 */
import type { Db } from '../db/index.js';
import { every } from '../util/periodic.js';

const EVERY_MS = 10 * 60_000;
/** Rows per DELETE, so a sweep after a long gap never holds a huge transaction. */
const BATCH = 5_000;

/** Deletes events received longer ago than `retentionMs` (their deliveries go with them); returns how many. */
export async function sweepEvents(db: Db, retentionMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db.query(
      `DELETE FROM events WHERE seq IN (
         SELECT seq FROM events WHERE received_at < now() - $1 * interval '1 millisecond' LIMIT $2)`,
      [retentionMs, BATCH],
    );
    total += r.rowCount;
    if (r.rowCount < BATCH) return total;
  }
}

/** Sweeps every ten minutes (any node may; deleting is idempotent). Returns the stop function. */
export function startEventRetention(db: Db, retentionMs: number, onError: (err: unknown) => void): () => void {
  return every(EVERY_MS, () => sweepEvents(db, retentionMs), onError);
}
