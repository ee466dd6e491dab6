/**
 * (b) Latency of `POST /api/namespaces/{ns}/workflows/{wf}/execute?wait=true` for a one-state
 * workflow (a noop with a transform), over real HTTP with a kept-alive connection against the
 * in-process server, sequential requests after a warm-up; on PostgreSQL and on the embedded
 * default (PGlite). Printed in the same run, to see where the time goes: an HTTP round trip to
 * GET /api/healthz (which runs `SELECT 1`), the raw single-row insert-and-update transaction from
 * one client, the engine's execute + waitForEnd in-process (no HTTP), and execute without wait.
 *
 * 50 warm-up requests, then BENCH_LATENCY_N measured (default: half the duration in ms, 100…1000).
 */
import { latencyRow, type BenchSuite, type Measurement, type MeasureOptions, type SuiteResult } from './harness.js';
import {
  HttpClient,
  RAW_TX_DESCRIPTION,
  closeClients,
  connectClients,
  createBenchDatabase,
  createRawTable,
  deploy,
  fmt,
  passMiss,
  postgresProblem,
  rawDbTx,
  rawTx,
  startSystem,
  workersOf,
  type System,
} from './engine-setup.js';

export const WARMUP = 50;
/** The target for execute?wait=true on PostgreSQL. */
export const TARGET_P50_MS = 5;

export const ONE_STATE = `id: one
states:
- id: a
  type: noop
  transform: 'jq(.n += 1)'
`;

const INPUT = JSON.stringify({ n: 1 });
const EXPECTED = JSON.stringify({ n: 2 });

/** Times `fn` `n` times after `warmup` calls; milliseconds per call. */
async function sample(n: number, fn: () => Promise<unknown>, warmup = WARMUP): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** The engine and HTTP measurements that both backends get. */
async function engineRows(sys: System, http: HttpClient, ns: string, label: string, n: number): Promise<Measurement[]> {
  const { engine } = sys.running;
  const path = `/api/namespaces/${ns}/workflows/one/execute`;
  const inProcess = await sample(n, async () => {
    const { instanceId } = await engine.execute({ namespace: ns, workflow: 'one', input: Buffer.from(INPUT), invokedBy: { kind: 'api' } });
    const d = await engine.waitForEnd(instanceId, 30_000);
    if (d?.status !== 'complete') throw new Error(`instance ${instanceId} did not complete: ${JSON.stringify(d)}`);
  });
  const noWait = await sample(n, () => http.expect(202, 'POST', path, INPUT));
  const wait = await sample(n, async () => {
    const body = await http.expect(200, 'POST', `${path}?wait=true`, INPUT);
    if (body !== EXPECTED) throw new Error(`execute?wait=true answered ${body}`);
  });
  const workers = `workers=${workersOf(sys)}`;
  return [
    latencyRow(`${label}: engine.execute + waitForEnd (in-process)`, inProcess, `no HTTP; ${workers}`),
    latencyRow(`${label}: HTTP POST …/execute (202, no wait)`, noWait, 'the instance ends inside the execute transaction'),
    latencyRow(`${label}: HTTP POST …/execute?wait=true`, wait, 'one-state workflow: noop + transform'),
  ];
}

async function postgresRows(n: number): Promise<{ rows: Measurement[]; p50Ms: number }> {
  const bdb = await createBenchDatabase();
  try {
    const sys = await startSystem({ pgUrl: bdb.url });
    const http = new HttpClient(sys.url);
    const [client] = await connectClients(bdb.connection, 1);
    try {
      await deploy(http, 'bench', ONE_STATE);
      const health = await sample(n, () => http.expect(200, 'GET', '/api/healthz'));
      const raw = await sample(n, () => rawTx(client!));
      const rows = [
        latencyRow('HTTP GET /api/healthz (round trip)', health, 'trivial route; runs SELECT 1 on the database'),
        latencyRow('PostgreSQL: raw tx, 1 client', raw, RAW_TX_DESCRIPTION),
        ...(await engineRows(sys, http, 'bench', 'PostgreSQL', n)),
      ];
      const wait = rows[rows.length - 1]!;
      const p50Ms = wait.p50Us! / 1000;
      wait.note = `${wait.note}; p50 ${passMiss(p50Ms <= TARGET_P50_MS)} (target ≤ ${TARGET_P50_MS} ms)`;
      return { rows, p50Ms };
    } finally {
      await closeClients(client ? [client] : []);
      http.close();
      await sys.stop();
    }
  } finally {
    await bdb.drop();
  }
}

async function pgliteRows(n: number): Promise<Measurement[]> {
  const sys = await startSystem({});
  const http = new HttpClient(sys.url);
  try {
    await deploy(http, 'bench', ONE_STATE);
    await createRawTable(sys.running.db);
    const raw = await sample(n, () => rawDbTx(sys.running.db));
    return [
      latencyRow('PGlite: raw tx (Db.tx)', raw, `${RAW_TX_DESCRIPTION}, through the engine's Db wrapper`),
      ...(await engineRows(sys, http, 'bench', 'PGlite', n)),
    ];
  } finally {
    http.close();
    await sys.stop();
  }
}

export const engineLatencySuite: BenchSuite = {
  title: 'engine latency',
  async run(opts: MeasureOptions): Promise<SuiteResult> {
    const durationMs = opts.durationMs ?? 2_000;
    const n = Number(process.env['BENCH_LATENCY_N'] ?? Math.min(1_000, Math.max(100, Math.round(durationMs / 2))));
    const rows: Measurement[] = [];
    const footer = [`${WARMUP} warm-up, then ${n} sequential requests each; one kept-alive HTTP connection`];
    const problem = await postgresProblem();
    if (problem) {
      footer.push(`PostgreSQL skipped: ${problem}`);
    } else {
      const pgr = await postgresRows(n);
      rows.push(...pgr.rows);
      footer.push(
        `target (issue): execute?wait=true p50 ≤ ${TARGET_P50_MS} ms on PostgreSQL: ${passMiss(pgr.p50Ms <= TARGET_P50_MS)} (${fmt(pgr.p50Ms)} ms)`,
      );
    }
    rows.push(...(await pgliteRows(n)));
    const wait = rows.filter((r) => r.name.endsWith('execute?wait=true'));
    for (const w of wait) footer.push(`- ${w.name.split(':')[0]}: execute?wait=true p99/p50 = ${fmt(w.p99Us! / w.p50Us!)}`);
    return { rows, footer };
  },
};
