/**
 * A housekeeping job every node runs now and then (retention sweeps): the first run comes after
 * a random delay so nodes started together do not sweep together; the timers never keep the
 * process alive.
 */
export function every(everyMs: number, run: () => Promise<unknown>, onError: (err: unknown) => void, firstWithinMs = 60_000): () => void {
  let timer: NodeJS.Timeout | undefined;
  const once = () => {
    run().catch(onError);
  };
  timer = setTimeout(() => {
    once();
    timer = setInterval(once, everyMs);
    timer.unref();
  }, Math.random() * firstWithinMs);
  timer.unref();
  return () => {
    clearTimeout(timer);
    clearInterval(timer);
  };
}
