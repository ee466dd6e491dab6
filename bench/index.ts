/**
 * `npm run bench [-- --quick]`: runs every benchmark suite and prints one table per suite.
 * Add a suite by exporting a BenchSuite from bench/<area>.ts and listing it below.
 * BENCH_DURATION_MS sets the measuring time per benchmark (default 2000; --quick: 300).
 */
import { formatTable, type BenchSuite } from './harness.js';
import { jqSuite } from './jq.js';

const SUITES: BenchSuite[] = [jqSuite];

function main(): void {
  const quick = process.argv.includes('--quick');
  const durationMs = Number(process.env['BENCH_DURATION_MS'] ?? (quick ? 300 : 2_000));
  const warmupMs = Math.min(500, Math.max(100, durationMs / 4));
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  process.stdout.write(`node ${process.version}, ${durationMs} ms per benchmark\n\n`);
  for (const suite of SUITES) {
    if (only.length > 0 && !only.includes(suite.title)) continue;
    const rows = suite.run({ durationMs, warmupMs });
    process.stdout.write(formatTable(suite.title, rows) + '\n\n');
  }
}

main();
