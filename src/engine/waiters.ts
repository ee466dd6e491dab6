/**
 * Callers waiting for instances to end (`execute?wait=true`). Woken by this process's own
 * commits at once, and by the `direktiv_ended` notification when another node ran the end
 * (the instance is marked watched first, so that its transactions send it).
 */
import type { InstanceDetail } from './types.js';

type Waiter = (d: InstanceDetail | null) => void;

export class Waiters {
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(
    private readonly load: (id: string) => Promise<InstanceDetail | null>,
    /** marks the instance watched; false when it is no longer pending */
    private readonly watch: (id: string) => Promise<boolean>,
  ) {}

  async wait(id: string, timeoutMs: number): Promise<InstanceDetail | null> {
    let set = this.waiting.get(id);
    if (!set) this.waiting.set(id, (set = new Set()));
    let resolve!: Waiter;
    const done = new Promise<InstanceDetail | null>((r) => (resolve = r));
    const waiter: Waiter = (d) => resolve(d);
    set.add(waiter);
    const timer = setTimeout(() => resolve(null), timeoutMs);
    try {
      // Registered first, checked second: an end between the two is not missed.
      if (!(await this.watch(id))) return await this.load(id);
      return await done;
    } finally {
      clearTimeout(timer);
      set.delete(waiter);
      if (set.size === 0 && this.waiting.get(id) === set) this.waiting.delete(id);
    }
  }

  ended(id: string): void {
    const set = this.waiting.get(id);
    if (!set) return;
    void this.load(id).then(
      (d) => {
        if (d && d.status !== 'pending') for (const w of set) w(d);
      },
      () => undefined,
    );
  }

  /** After a lost LISTEN connection: notifications may have been missed. */
  recheckAll(): void {
    for (const id of this.waiting.keys()) this.ended(id);
  }

  close(): void {
    for (const set of this.waiting.values()) for (const w of set) w(null);
    this.waiting.clear();
  }
}
