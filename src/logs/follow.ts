/**
 * Following an instance's log live. A NOTIFY only says "look now"; the poll every `pollMs` is the
 * guarantee. Whether the instance has ended is checked *before* each read, so the read that comes
 * after "ended" sees every line: the engine writes an instance's last lines in the transaction
 * that ends it.
 */
import type { Db } from '../db/index.js';
import { ENDED_CHANNEL, LOGS_CHANNEL, readAfter } from './store.js';
import type { LogLine } from './store.js';

export interface LogFollower {
  /** Resolves once the last lines were handed over ('ended') or after stop() ('stopped'). */
  readonly done: Promise<'ended' | 'stopped'>;
  stop(): void;
}

export interface FollowOptions {
  /** The safety-net poll; default 1 s. */
  pollMs?: number;
  /** Lines per read; default 500. */
  batch?: number;
}

/**
 * Calls `onLines` with the instance's lines after `afterId` as they are written, until the
 * instance has ended (`isEnded` resolves true, or a `direktiv_ended` notification for it) and
 * its last lines were handed over, or until stop(). `onLines` may return a promise to slow the
 * follower down (back-pressure). `isEnded` should treat a missing instance as ended.
 */
export function follow(
  db: Db,
  instanceId: string,
  afterId: number,
  onLines: (lines: LogLine[]) => void | Promise<void>,
  isEnded: () => Promise<boolean>,
  opts: FollowOptions = {},
): LogFollower {
  const pollMs = opts.pollMs ?? 1000;
  const batch = opts.batch ?? 500;
  let stopped = false;
  let endedSeen = false;
  let dirty = true;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    wake?.();
  };

  const run = async (): Promise<'ended' | 'stopped'> => {
    const unsubscribe: (() => Promise<void>)[] = [];
    try {
      unsubscribe.push(
        await db.listen(
          LOGS_CHANNEL,
          (p) => {
            if (p === instanceId) poke();
          },
          poke,
        ),
      );
      unsubscribe.push(
        await db.listen(
          ENDED_CHANNEL,
          (p) => {
            if (p !== instanceId) return;
            endedSeen = true;
            poke();
          },
          poke,
        ),
      );
      let last = afterId;
      while (!stopped) {
        dirty = false;
        const ended = endedSeen || (await isEnded());
        for (;;) {
          const lines = await readAfter(db, instanceId, last, batch);
          if (lines.length === 0 || stopped) break;
          last = lines[lines.length - 1]!.id;
          await onLines(lines);
          if (lines.length < batch) break;
        }
        if (ended && !stopped) return 'ended';
        if (!dirty && !stopped) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
      return 'stopped';
    } finally {
      for (const u of unsubscribe) await u().catch(() => undefined);
    }
  };

  return {
    done: run(),
    stop() {
      stopped = true;
      wake?.();
    },
  };
}
