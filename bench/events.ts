/**
 * Events on PostgreSQL with 1,000 start listeners registered (workflows `on-<i>` listening for
 * `bench.t<i>`, each a single noop), over real HTTP against the in-process server:
 *
 * - latency: one event at a time to a random type, from the POST to its 202 (the event stored
 *   and matched, the instance created) and to the instance's end (its first state ran);
 * - throughput: events accepted per second by concurrent keep-alive senders (wrk, in a process
 *   of its own, as clients on other machines would be; single events, batches of 100, and
 *   events no listener matches), each started instance run by the engine; next to the raw
 *   single-row transaction from as many clients.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { latencyRow, type BenchSuite, type Measurement, type MeasureOptions, type SuiteResult } from './harness.js';
import {
  HttpClient,
  RAW_TX_DESCRIPTION,
  StatementCounter,
  closeClients,
  connectClients,
  createBenchDatabase,
  fmt,
  loadNote,
  passMiss,
  postgresProblem,
  progress,
  rawThroughput,
  startSystem,
  type System,
} from './engine-setup.js';

const LISTENERS = 1_000;
const SENDERS = 16;
const BATCH = 100;
const WARMUP = 50;
const TARGET_P50_MS = 10;
const TARGET_PER_SEC = 1_000;
const NS = 'bench';

const listener = (i: number) => `id: on-${i}
start:
  type: event
  event:
    type: bench.t${i}
states:
- id: a
  type: noop
`;

let seq = 0;
const eventJson = (type: string) => ({ specversion: '1.0', id: `e-${++seq}`, source: '/bench', type, data: { n: seq } });
const randomType = () => `bench.t${Math.floor(Math.random() * LISTENERS)}`;

async function post(http: HttpClient, type: string): Promise<string[]> {
  const body = await http.expect(202, 'POST', `/api/namespaces/${NS}/event`, JSON.stringify(eventJson(type)), 'application/cloudevents+json');
  return (JSON.parse(body) as { instances: string[] }).instances;
}

/** Deploys the listeners through the API, a few requests at a time; returns the seconds taken. */
async function deployListeners(sys: System): Promise<number> {
  const t0 = performance.now();
  const clients = Array.from({ length: 8 }, () => new HttpClient(sys.url));
  try {
    await clients[0]!.expect(201, 'PUT', `/api/namespaces/${NS}`);
    let next = 0;
    await Promise.all(
      clients.map(async (c) => {
        for (let i = next++; i < LISTENERS; i = next++) {
          await c.expect(201, 'POST', `/api/namespaces/${NS}/workflows`, listener(i), 'application/yaml');
        }
      }),
    );
  } finally {
    for (const c of clients) c.close();
  }
  return (performance.now() - t0) / 1000;
}

/** Waits until the engine has run every instance the events started. */
async function drain(sys: System): Promise<void> {
  const { db } = sys.running.flow!;
  for (let i = 0; i < 600; i++) {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM instances WHERE status = 'pending'`);
    if (Number(r.rows[0]!.n) === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('instances started by events did not finish within a minute');
}

async function latency(sys: System, n: number): Promise<{ accepted: number[]; ran: number[] }> {
  const http = new HttpClient(sys.url);
  const { engine } = sys.running.flow!;
  const accepted: number[] = [];
  const ran: number[] = [];
  try {
    for (let i = 0; i < WARMUP + n; i++) {
      const t0 = performance.now();
      const [id] = await post(http, randomType());
      const t1 = performance.now();
      const done = await engine.waitForEnd(id!, 30_000);
      if (done?.status !== 'complete') throw new Error(`instance ${id} did not complete: ${JSON.stringify(done)}`);
      if (i < WARMUP) continue;
      accepted.push(t1 - t0);
      ran.push(performance.now() - t0);
    }
  } finally {
    http.close();
  }
  return { accepted, ran };
}

interface Rate {
  events: number;
  perSec: number;
}

/** The wrk script, next to this file in the sources (the build does not copy it). */
const WRK_SCRIPT = fileURLToPath(new URL('../../../bench/events.lua', import.meta.url));

const wrkProblem = (): string | undefined =>
  spawnSync('wrk', ['--version']).error ? 'wrk is not installed (scripts/system-packages.sh installs it)' : undefined;

interface SendersJob {
  /** events per request: 1 posts to …/event, more to …/events as a batch */
  batch: number;
  /** types are `${typePrefix}${random below types}`, or exactly `typePrefix` when types is 0 */
  typePrefix: string;
  types: number;
}

/** Concurrent keep-alive senders (wrk) for `durationMs`; the events answered 202. */
function throughput(sys: System, durationMs: number, job: SendersJob): Promise<Rate> {
  const route = job.batch === 1 ? 'event' : 'events';
  const args = ['-t1', `-c${SENDERS}`, `-d${Math.max(1, Math.round(durationMs / 1000))}s`, '-s', WRK_SCRIPT];
  args.push(`${sys.url}/api/namespaces/${NS}/${route}`, '--', String(job.batch), String(job.types), job.typePrefix);
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    wrk.stdout.on('data', (d: Buffer) => (out += d.toString()));
    wrk.stderr.on('data', (d: Buffer) => (out += d.toString()));
    wrk.once('error', reject);
    wrk.once('exit', (code) => {
      const done = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(out);
      const refused = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (code !== 0 || !done) return reject(new Error(`wrk failed (${code}): ${out}`));
      if (refused) return reject(new Error(`${refused[1]} requests were not answered 202: ${out}`));
      const seconds = Number(done[2]) * ({ ms: 0.001, s: 1, m: 60 } as Record<string, number>)[done[3]!]!;
      const events = Number(done[1]) * job.batch;
      resolve({ events, perSec: events / seconds });
    });
  });
}

const rateRow = (name: string, r: Rate, note: string): Measurement => ({
  name,
  opsPerSec: r.perSec,
  meanUs: 1e6 / r.perSec,
  iterations: r.events,
  note,
});

export const eventsSuite: BenchSuite = {
  title: 'events',
  async run(opts: MeasureOptions): Promise<SuiteResult> {
    const durationMs = opts.durationMs ?? 2_000;
    const n = Number(process.env['BENCH_LATENCY_N'] ?? Math.min(1_000, Math.max(100, Math.round(durationMs / 2))));
    const footer = [`PostgreSQL, ${LISTENERS} event-start workflows registered; ${loadNote()}`];
    const problem = (await postgresProblem()) ?? wrkProblem();
    if (problem) return { rows: [], footer: [...footer, `skipped: ${problem}`] };

    const bdb = await createBenchDatabase();
    try {
      const sys = await startSystem({ pgUrl: bdb.url });
      try {
        progress('events: deploying listeners');
        footer.push(`setup: ${LISTENERS} workflows deployed through the API in ${fmt(await deployListeners(sys))} s`);

        progress('events: latency');
        const lat = await latency(sys, n);
        const accepted = latencyRow('POST …/event → 202 (stored, matched, instance created)', lat.accepted, `${n} sequential events`);
        const ran = latencyRow('POST …/event → instance ended (first state ran)', lat.ran, 'one noop state; waitForEnd in process');
        const p50 = ran.p50Us! / 1000;
        ran.note = `${ran.note}; p50 ${passMiss(p50 <= TARGET_P50_MS)} (target ≤ ${TARGET_P50_MS} ms)`;

        progress('events: throughput');
        const listeners = { typePrefix: 'bench.t', types: LISTENERS };
        // Warm-up: every pooled connection prepares the intake's statements on first use.
        await throughput(sys, opts.warmupMs ?? 1_000, { batch: 1, ...listeners });
        await drain(sys);
        // Counted, not assumed: concurrent requests share transactions (the intake's group commit).
        const counter = new StatementCounter(false).install();
        let single: Rate;
        try {
          counter.on = true;
          single = await throughput(sys, durationMs, { batch: 1, ...listeners });
        } finally {
          counter.uninstall();
        }
        await drain(sys);
        const batched = await throughput(sys, durationMs, { batch: BATCH, ...listeners });
        await drain(sys);
        const unmatched = await throughput(sys, durationMs, { batch: 1, typePrefix: 'nobody.listens', types: 0 });

        progress('events: raw baseline');
        const clients = await connectClients(bdb.connection, SENDERS);
        let raw: Rate;
        try {
          const r = await rawThroughput(clients, durationMs);
          raw = { events: r.tx, perSec: (r.tx * 1000) / r.elapsedMs };
        } finally {
          await closeClients(clients);
        }

        const rows = [
          accepted,
          ran,
          rateRow(`events/s accepted, ${SENDERS} senders, one event per request`, single, `each starts an instance; ${passMiss(single.perSec >= TARGET_PER_SEC)} (target ≥ ${TARGET_PER_SEC}/s)`),
          rateRow(`events/s accepted, ${SENDERS} senders, batches of ${BATCH}`, batched, 'each event starts an instance'),
          rateRow(`events/s accepted, ${SENDERS} senders, no listener matches`, unmatched, 'stored and matched only'),
          rateRow(`PostgreSQL: raw tx/s, ${SENDERS} clients`, raw, RAW_TX_DESCRIPTION),
        ];
        footer.push(
          `target (issue): event-to-instance-start p50 ≤ ${TARGET_P50_MS} ms: ${passMiss(p50 <= TARGET_P50_MS)} (${fmt(p50)} ms, p99 ${fmt(ran.p99Us! / 1000)} ms)`,
          `target (issue): ≥ ${TARGET_PER_SEC} events/s accepted: ${passMiss(single.perSec >= TARGET_PER_SEC)} (${fmt(single.perSec)}/s single, ${fmt(batched.perSec)}/s batched)`,
          `- events/s (single) vs raw tx/s: ${fmt(single.perSec / raw.perSec)}×; the engine made ${fmt(counter.statements / single.events)} round trips to PostgreSQL (statements sent together count once) and ` +
            `${fmt(counter.commits / single.events)} commits per event (concurrent requests share a transaction; the instance runs its noop inside it)`,
          `- senders: wrk in a process of its own (${SENDERS} keep-alive connections, one request at a time on each); every started instance is run to its end meanwhile`,
        );
        await drain(sys);
        return { rows, footer };
      } finally {
        await sys.stop();
      }
    } finally {
      await bdb.drop();
    }
  },
};
