/** A tiny benchmark harness: time a function for a while, report operations per second. */

export interface Measurement {
  name: string;
  opsPerSec: number;
  /** Mean time of one operation, in microseconds. */
  meanUs: number;
  iterations: number;
  note?: string;
}

export interface MeasureOptions {
  warmupMs?: number;
  durationMs?: number;
}

/** Calls `fn` repeatedly: first for `warmupMs` (JIT), then for `durationMs`, counting calls. */
export function measure(name: string, fn: () => unknown, opts: MeasureOptions = {}): Measurement {
  const warmupMs = opts.warmupMs ?? 300;
  const durationMs = opts.durationMs ?? 2_000;
  let sink: unknown;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) sink = fn();

  // Time batches so the clock is not read on every call of a very fast function.
  let batch = 1;
  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < batch; i++) sink = fn();
    iterations += batch;
    now = performance.now();
    if (now - start < durationMs / 100) batch *= 2;
  }
  sink_.value = sink;
  const seconds = (now - start) / 1000;
  return { name, opsPerSec: iterations / seconds, meanUs: (seconds * 1e6) / iterations, iterations };
}

/** Holds the last result, so the optimiser cannot drop work nobody reads. */
export const sink_: { value: unknown } = { value: undefined };

/** A group of measurements with a title; `bench/index.ts` runs every suite it lists. */
export interface BenchSuite {
  title: string;
  run: (opts: MeasureOptions) => Measurement[];
}

function fmtNumber(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

export function formatTable(title: string, rows: Measurement[]): string {
  const head = ['benchmark', 'ops/s', 'mean µs', 'runs', 'note'];
  const body = rows.map((r) => [r.name, fmtNumber(r.opsPerSec), fmtNumber(r.meanUs), String(r.iterations), r.note ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [`## ${title}`, fmt(head), '-'.repeat(fmt(head).length), ...body.map(fmt)].join('\n');
}
