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
  StatementCounter,
  closeClients,
  connectClients,
  createBenchDatabase,
  createRawTable,
  deploy,
  fmt,
  loadNote,
  passMiss,
  postgresProblem,
  profileLines,
  profiling,
  progress,
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

type Op = () => Promise<unknown>;

/**
 * Times every operation `n` times after WARMUP calls each, round-robin (one call of each in
 * turn), so a machine whose load drifts during the run slows every operation alike; then, when
 * profiling, `n` more calls of each operation named in `profile` with the statement counter on.
 * Milliseconds per call, by operation name.
 */
async function sample(
  n: number,
  ops: Record<string, Op>,
  profile?: { counter: StatementCounter; footer: string[]; label: string; ops: Record<string, string> },
): Promise<Record<string, number[]>> {
  const names = Object.keys(ops);
  for (let i = 0; i < WARMUP; i++) for (const k of names) await ops[k]!();
  const out: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < n; i++) {
    for (const k of names) {
      const t0 = performance.now();
      await ops[k]!();
      out[k]!.push(performance.now() - t0);
    }
  }
  if (profile) {
    const { counter } = profile;
    for (const [k, unit] of Object.entries(profile.ops)) {
      counter.reset();
      counter.on = true;
      for (let i = 0; i < n; i++) await ops[k]!();
      counter.on = false;
      profile.footer.push(`- ${profile.label}: what one ${unit} sent to PostgreSQL`);
      profile.footer.push(...profileLines(counter, n, unit));
    }
  }
  return out;
}

/** The engine and HTTP operations both backends get. */
function engineOps(sys: System, http: HttpClient, ns: string): Record<string, Op> {
  const { engine } = sys.running.flow!;
  const path = `/api/namespaces/${ns}/workflows/one/execute`;
  return {
    inProcess: async () => {
      const { instanceId } = await engine.execute({ namespace: ns, workflow: 'one', input: Buffer.from(INPUT), invokedBy: { kind: 'api' } });
      const d = await engine.waitForEnd(instanceId, 30_000);
      if (d?.status !== 'complete') throw new Error(`instance ${instanceId} did not complete: ${JSON.stringify(d)}`);
    },
    noWait: () => http.expect(202, 'POST', path, INPUT),
    wait: async () => {
      const body = await http.expect(200, 'POST', `${path}?wait=true`, INPUT);
      if (body !== EXPECTED) throw new Error(`execute?wait=true answered ${body}`);
    },
  };
}

function engineRows(sys: System, label: string, t: Record<string, number[]>): Measurement[] {
  return [
    latencyRow(`${label}: engine.execute + waitForEnd (in-process)`, t['inProcess']!, `no HTTP; workers=${workersOf(sys)}`),
    latencyRow(`${label}: HTTP POST …/execute (202, no wait)`, t['noWait']!, 'the instance ends inside the execute transaction'),
    latencyRow(`${label}: HTTP POST …/execute?wait=true`, t['wait']!, 'one-state workflow: noop + transform'),
  ];
}

async function postgresRows(n: number, footer: string[]): Promise<{ rows: Measurement[]; p50Ms: number }> {
  const bdb = await createBenchDatabase();
  const counter = profiling() ? new StatementCounter(true).install() : undefined;
  try {
    const sys = await startSystem({ pgUrl: bdb.url });
    const http = new HttpClient(sys.url);
    const [client] = await connectClients(bdb.connection, 1);
    try {
      await deploy(http, 'bench', ONE_STATE);
      progress('engine latency, PostgreSQL');
      const t = await sample(
        n,
        { health: () => http.expect(200, 'GET', '/api/healthz'), raw: () => rawTx(client!), ...engineOps(sys, http, 'bench') },
        counter && { counter, footer, label: 'PostgreSQL', ops: { raw: 'raw tx', wait: 'execute?wait=true' } },
      );
      const rows = [
        latencyRow('HTTP GET /api/healthz (round trip)', t['health']!, 'trivial route; runs SELECT 1 on the database'),
        latencyRow('PostgreSQL: raw tx, 1 client', t['raw']!, RAW_TX_DESCRIPTION),
        ...engineRows(sys, 'PostgreSQL', t),
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
    counter?.uninstall();
    await bdb.drop();
  }
}

async function pgliteRows(n: number): Promise<Measurement[]> {
  progress('engine latency, PGlite: starting');
  const sys = await startSystem({});
  const http = new HttpClient(sys.url);
  try {
    await deploy(http, 'bench', ONE_STATE);
    await createRawTable(sys.running.flow!.db);
    progress('engine latency, PGlite');
    const t = await sample(n, { raw: () => rawDbTx(sys.running.flow!.db), ...engineOps(sys, http, 'bench') });
    return [
      latencyRow('PGlite: raw tx (Db.tx)', t['raw']!, `${RAW_TX_DESCRIPTION}, through the engine's Db wrapper`),
      ...engineRows(sys, 'PGlite', t),
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
    const footer = [
      `${WARMUP} warm-up, then ${n} sequential calls of each operation, taken in turn (one of each, repeated); ` +
        `one kept-alive HTTP connection; ${loadNote()}`,
    ];
    const problem = await postgresProblem();
    if (problem) {
      footer.push(`PostgreSQL skipped: ${problem}`);
    } else {
      const pgr = await postgresRows(n, footer);
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
