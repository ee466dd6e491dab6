/** A tiny benchmark harness: time a function for a while, report operations per second. */

export interface Measurement {
  name: string;
  opsPerSec: number;
  /** Mean time of one operation, in microseconds. */
  meanUs: number;
  iterations: number;
  note?: string;
  /** Latency percentiles, in microseconds (a p50/p99 column appears when a row has them). */
  p50Us?: number;
  p99Us?: number;
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

/** What a suite may return besides its rows: lines printed under its table (targets, notes). */
export interface SuiteResult {
  rows: Measurement[];
  footer?: string[];
}

/** A group of measurements with a title; `bench/index.ts` runs every suite it lists. */
export interface BenchSuite {
  title: string;
  run: (opts: MeasureOptions) => Measurement[] | SuiteResult | Promise<Measurement[] | SuiteResult>;
}

/** The `q`-quantile (0…1) of `values`, by the nearest-rank method. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

/** A row from latency samples (milliseconds, one per sequential operation). */
export function latencyRow(name: string, samplesMs: readonly number[], note?: string): Measurement {
  const meanMs = samplesMs.reduce((a, b) => a + b, 0) / samplesMs.length;
  return {
    name,
    opsPerSec: 1000 / meanMs,
    meanUs: meanMs * 1000,
    iterations: samplesMs.length,
    p50Us: percentile(samplesMs, 0.5) * 1000,
    p99Us: percentile(samplesMs, 0.99) * 1000,
    ...(note === undefined ? {} : { note }),
  };
}

function fmtNumber(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

export function formatTable(title: string, rows: Measurement[], footer: readonly string[] = []): string {
  const pct = rows.some((r) => r.p50Us !== undefined);
  const opt = (n: number | undefined): string => (n === undefined ? '' : fmtNumber(n));
  const head = ['benchmark', 'ops/s', 'mean µs', ...(pct ? ['p50 µs', 'p99 µs'] : []), 'runs', 'note'];
  const body = rows.map((r) => [
    r.name,
    fmtNumber(r.opsPerSec),
    fmtNumber(r.meanUs),
    ...(pct ? [opt(r.p50Us), opt(r.p99Us)] : []),
    String(r.iterations),
    r.note ?? '',
  ]);
  const last = head.length - 1;
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 || i === last ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [`## ${title}`, fmt(head), '-'.repeat(fmt(head).length), ...body.map(fmt), ...footer].join('\n');
}
