/**
 * Warm containers of `reusable` functions, one set per (namespace, image, cmd, size). A call
 * takes an idle container, else starts one while the set is under its cap, else queues. A
 * container idle for the idle timeout is removed; one that failed a call is removed at once
 * (it may hold half a call's state, or have died).
 */
import type { Started } from './container.js';

export interface Warm extends Started {
  /** the host directory mounted at TEMP_MOUNT */
  dataDir: string;
  /** the directory its calls get (one at a time), under dataDir */
  callDir: string;
}

interface FunctionSet {
  all: Set<Warm>;
  idle: Warm[];
  starting: number;
  waiting: Array<{ resolve: (w: Warm | undefined) => void }>;
  timers: Map<Warm, NodeJS.Timeout>;
  /** how the set's containers are started (the latest caller's way) */
  start?: () => Promise<Warm>;
}

export interface PoolOptions {
  maxScale: number;
  idleMs: number;
  /** removes a container and its data directory */
  remove(w: Warm): Promise<void>;
}

export class Pool {
  private readonly sets = new Map<string, FunctionSet>();
  private closed = false;

  constructor(private readonly o: PoolOptions) {}

  /**
   * A container for one call. `undefined` when the wait was given up (`signal`) — the caller
   * reports that. A failed start rejects, for the caller to report.
   */
  async acquire(key: string, signal: AbortSignal, start: () => Promise<Warm>): Promise<Warm | undefined> {
    const set = this.set(key);
    set.start = start;
    const idle = set.idle.pop();
    if (idle) {
      clearTimeout(set.timers.get(idle));
      set.timers.delete(idle);
      return idle;
    }
    if (set.all.size + set.starting < this.o.maxScale) {
      set.starting++;
      let w: Warm;
      try {
        w = await start();
      } catch (e) {
        set.starting--;
        // The place this start held is free again: a queued call may try.
        this.startForWaiter(key);
        throw e;
      }
      set.starting--;
      set.all.add(w);
      return w;
    }
    return new Promise((resolve) => {
      const entry = {
        resolve: (w: Warm | undefined) => {
          signal.removeEventListener('abort', onAbort);
          resolve(w);
        },
      };
      const onAbort = () => {
        set.waiting.splice(set.waiting.indexOf(entry), 1);
        resolve(undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      set.waiting.push(entry);
    });
  }

  /** Gives the container back after a call; `healthy: false` removes it. */
  release(key: string, w: Warm, healthy: boolean): void {
    const set = this.set(key);
    if (!healthy || this.closed) {
      set.all.delete(w);
      void this.o.remove(w);
      this.startForWaiter(key);
      return;
    }
    const next = set.waiting.shift();
    if (next) return next.resolve(w);
    set.idle.push(w);
    set.timers.set(
      w,
      setTimeout(() => {
        set.timers.delete(w);
        const i = set.idle.indexOf(w);
        if (i < 0) return;
        set.idle.splice(i, 1);
        set.all.delete(w);
        void this.o.remove(w);
      }, this.o.idleMs).unref(),
    );
  }

  /** A place in the set came free: the first queued call starts a container of its own. */
  private startForWaiter(key: string): void {
    const set = this.set(key);
    const next = set.waiting.shift();
    if (!next || this.closed || !set.start) return;
    this.acquire(key, new AbortController().signal, set.start).then(next.resolve, () => next.resolve(undefined));
  }

  /** Removes every container; queued calls get `undefined`. */
  async close(): Promise<void> {
    this.closed = true;
    const all: Warm[] = [];
    for (const set of this.sets.values()) {
      for (const t of set.timers.values()) clearTimeout(t);
      for (const w of set.waiting.splice(0)) w.resolve(undefined);
      all.push(...set.all);
    }
    this.sets.clear();
    await Promise.all(all.map((w) => this.o.remove(w)));
  }

  private set(key: string): FunctionSet {
    let s = this.sets.get(key);
    if (!s) {
      s = { all: new Set(), idle: [], starting: 0, waiting: [], timers: new Map() };
      this.sets.set(key, s);
    }
    return s;
  }
}
