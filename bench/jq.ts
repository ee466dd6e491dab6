/**
 * jq engine throughput on a workflow-sized document, next to the same transformation written
 * by hand in JavaScript (measured in the same process, so the ratio survives a noisy machine).
 */
import { clearCompileCache, compile, equals, type Value } from '../src/jq/index.js';
import { measure, type BenchSuite, type Measurement, type MeasureOptions } from './harness.js';

export const EXPRESSION = '.items | map(select(.price > 10) | {name, total: (.price * .qty)})';

interface Item {
  name: string;
  price: number;
  qty: number;
  sku: string;
}

/** A deterministic ~5 KB input: `{items: [{name, price, qty, sku}, …]}`. */
export function makeInput(targetBytes = 5_000): { items: Item[] } {
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const items: Item[] = [];
  const doc = { items };
  while (JSON.stringify(doc).length < targetBytes) {
    const n = items.length;
    items.push({
      name: `item-${String(n).padStart(3, '0')}`,
      price: Math.round(next() * 2_000) / 100,
      qty: 1 + Math.floor(next() * 9),
      sku: `SKU-${Math.floor(next() * 1e6)
        .toString(36)
        .toUpperCase()
        .padStart(4, '0')}`,
    });
  }
  return doc;
}

/** The hand-written equivalent of EXPRESSION. */
export function plainJs(input: { items: Item[] }): { name: string; total: number }[] {
  return input.items.filter((i) => i.price > 10).map((i) => ({ name: i.name, total: i.price * i.qty }));
}

export const jqSuite: BenchSuite = {
  title: 'jq',
  run(opts: MeasureOptions): Measurement[] {
    const input = makeInput();
    const bytes = JSON.stringify(input).length;
    const program = compile(EXPRESSION);
    const expected = plainJs(input) as unknown as Value;
    const actual = program.one(input as unknown as Value);
    if (!equals(actual, expected)) throw new Error('bench: jq and plain JS disagree on the result');

    const js = measure('plain JS (filter + map)', () => plainJs(input), opts);
    const run = measure('jq run (compiled once)', () => program.run(input as unknown as Value), opts);
    let salt = 0;
    const compileRun = measure(
      'jq compile + run',
      () => {
        clearCompileCache();
        // A fresh source text as well, in case a cache is keyed elsewhere.
        return compile(`${EXPRESSION} ${' '.repeat(salt++ % 8)}`).run(input as unknown as Value);
      },
      opts,
    );
    const ratio = (m: Measurement): string => `${(js.opsPerSec / m.opsPerSec).toFixed(1)}x slower than plain JS`;
    run.note = ratio(run);
    compileRun.note = ratio(compileRun);
    js.note = `input ${bytes} bytes, ${input.items.length} items`;
    return [js, run, compileRun];
  },
};
