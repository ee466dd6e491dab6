/**
 * The engine benchmarks (`npm run bench -- engine`), on real PostgreSQL at 127.0.0.1:5432 (PG*
 * variables override; a fresh `direktiv_bench_<random>` database, dropped afterwards) and on
 * PGlite in a fresh temp directory:
 *
 * - `engine transitions` (engine-transitions.ts): state transitions per second of 20 concurrent
 *   100-state noop chains next to raw PostgreSQL's single-row insert-and-update transactions per
 *   second with 20 clients, and their ratio (target ≥ 0.5);
 * - `engine latency` (engine-latency.ts): p50/p99 of execute?wait=true over HTTP for a one-state
 *   workflow (target p50 ≤ 5 ms on PostgreSQL), with the raw baselines beside it.
 *
 * Shared setup (databases, the in-process server, the HTTP client, the raw baseline): engine-setup.ts.
 */
export { engineTransitionsSuite, chainWorkflow } from './engine-transitions.js';
export { engineLatencySuite, ONE_STATE } from './engine-latency.js';
