/** SQLSTATEs after which a transaction may simply be run again: a deadlock, a serialization failure. */
const TRANSIENT = new Set(['40P01', '40001']);

export const isTransient = (err: unknown): boolean => TRANSIENT.has((err as { code?: unknown } | null)?.code as string);

/**
 * Runs `fn` (a whole transaction) again when PostgreSQL aborted it as a deadlock victim or for
 * a serialization failure, up to `attempts` times: the other transaction went through, so a
 * second run meets a different state.
 */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
    }
  }
}
