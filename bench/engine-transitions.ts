/**
 * (a) Engine throughput: state transitions per second of 20 concurrent instances of a 100-state
 * noop chain on real PostgreSQL, next to the single-row insert-and-update transactions per
 * second raw PostgreSQL does with 20 clients in the same run, for the same duration.
 *
 * A round runs batches of 20 instances (execute all, wait for all to end) until the duration is
 * up, then the raw loop for exactly as long; the table shows the median round. Transitions =
 * instances × states; engine commits are the COMMITs the engine's connections sent meanwhile
 * (counted on the pg driver: pg_stat_database's xact_commit is flushed by backends up to a
 * second late, too late for short rounds).
 *
 * BENCH_ENGINE_ROUNDS sets the rounds (default 3, --quick 1); BENCH_ENGINE_PROFILE=1 adds the
 * engine's statements with their count per transition and mean time.
 */
import type pg from 'pg';
import { median, type BenchSuite, type Measurement, type MeasureOptions, type SuiteResult } from './harness.js';
import {
  HttpClient,
  RAW_TX_DESCRIPTION,
  StatementCounter,
  closeClients,
  connectClients,
  createBenchDatabase,
  deploy,
  fmt,
  loadNote,
  passMiss,
  postgresProblem,
  profileLines,
  profiling,
  progress,
  rawThroughput,
  startSystem,
  workersOf,
  type BenchDatabase,
  type System,
} from './engine-setup.js';

export const INSTANCES = 20;
export const STATES = 100;
/** The issue's target: transitions/s ÷ raw tx/s. */
export const TARGET_RATIO = 0.5;

/** `s1 … s<n>`, each a noop that goes to the next; every tenth one also transforms the data. */
export function chainWorkflow(id: string, states = STATES): string {
  const lines = [`id: ${id}`, 'states:'];
  for (let i = 1; i <= states; i++) {
    lines.push(`- id: s${i}`, '  type: noop');
    if (i % 10 === 0) lines.push(`  transform: 'jq(.n += 1)'`);
    if (i < states) lines.push(`  transition: s${i + 1}`);
  }
  return lines.join('\n') + '\n';
}

interface Variant {
  label: string;
  /** undefined: the config's default */
  workers?: number;
  /** undefined: the engine's default (100) */
  chainLimit?: number;
  /** the target applies to this one */
  target?: boolean;
  /** also measure the raw transaction with a pg_notify in it */
  notifyBaseline?: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'default workers', target: true, notifyBaseline: true },
  { label: 'workers=20', workers: 20 },
  { label: 'workers=20, chainLimit=1', workers: 20, chainLimit: 1, notifyBaseline: true },
];

interface Round {
  transitions: number;
  engineMs: number;
  commits: number;
  statements: number;
  rawTx: number;
  rawMs: number;
  notifyTx?: number;
  notifyMs?: number;
  leftoverWork: number;
  logRows: number;
  instances: number;
  /** this process's CPU time during the engine part (engine, server and bench), ms */
  cpuMs: number;
}

/** Batches of INSTANCES concurrent instances until `durationMs` has passed. */
async function engineRound(sys: System, ns: string, wf: string, durationMs: number): Promise<{ instances: number; ms: number }> {
  const { engine } = sys.running.flow!;
  let instances = 0;
  const start = performance.now();
  do {
    const ends = await Promise.all(
      Array.from({ length: INSTANCES }, async () => {
        const { instanceId } = await engine.execute({ namespace: ns, workflow: wf, input: { n: 0 }, invokedBy: { kind: 'api' } });
        return engine.waitForEnd(instanceId, 120_000);
      }),
    );
    for (const d of ends) {
      if (!d || d.status !== 'complete') throw new Error(`bench instance did not complete: ${JSON.stringify(d)}`);
      if ((d.output as { n?: number } | null)?.n !== STATES / 10) throw new Error(`unexpected output ${JSON.stringify(d.output)}`);
    }
    instances += INSTANCES;
  } while (performance.now() - start < durationMs);
  return { instances, ms: performance.now() - start };
}

async function runVariant(
  v: Variant,
  bdb: BenchDatabase,
  clients: pg.Client[],
  counter: StatementCounter,
  rounds: number,
  durationMs: number,
): Promise<{ rows: Measurement[]; footer: string[]; ratio: number }> {
  const sys = await startSystem({ pgUrl: bdb.url, ...(v.workers === undefined ? {} : { workers: v.workers }) });
  const http = new HttpClient(sys.url);
  try {
    const settings = sys.running.flow!.engine.deps.settings;
    // chainLimit has no config key; the engine reads it from its settings on every step.
    if (v.chainLimit !== undefined) settings.chainLimit = v.chainLimit;
    const workers = workersOf(sys);
    const tag = `workers=${workers}${v.chainLimit === undefined ? '' : `, chainLimit=${v.chainLimit}`}`;
    const ns = `bench-${Math.random().toString(36).slice(2, 8)}`;
    await deploy(http, ns, chainWorkflow('chain'));
    const admin = sys.running.flow!.db;
    progress(`engine transitions, ${tag}: warm-up`);
    await engineRound(sys, ns, 'chain', 0); // warm-up: JIT, workflow cache, connections

    const results: Round[] = [];
    counter.byText.clear();
    for (let r = 0; r < rounds; r++) {
      progress(`engine transitions, ${tag}: round ${r + 1}/${rounds}`);
      // CASCADE: the tables that reference instances (event waits) go with it.
      await admin.exec('TRUNCATE work, logs, instances, bench_raw CASCADE');
      counter.commits = 0;
      counter.statements = 0;
      counter.on = true;
      const cpu0 = process.cpuUsage();
      const e = await engineRound(sys, ns, 'chain', durationMs);
      const cpu = process.cpuUsage(cpu0);
      counter.on = false;
      const { commits, statements } = counter;
      const left = await admin.query<{ work: number; logs: number }>(
        'SELECT (SELECT count(*)::int FROM work) AS work, (SELECT count(*)::int FROM logs) AS logs',
      );
      const raw = await rawThroughput(clients, e.ms);
      const notify = v.notifyBaseline ? await rawThroughput(clients, e.ms, true) : undefined;
      results.push({
        transitions: e.instances * STATES,
        instances: e.instances,
        engineMs: e.ms,
        commits,
        statements,
        rawTx: raw.tx,
        rawMs: raw.elapsedMs,
        ...(notify ? { notifyTx: notify.tx, notifyMs: notify.elapsedMs } : {}),
        leftoverWork: left.rows[0]!.work,
        logRows: left.rows[0]!.logs,
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
    }

    const tps = (r: Round) => r.transitions / (r.engineMs / 1000);
    const cps = (r: Round) => r.commits / (r.engineMs / 1000);
    const raw = (r: Round) => r.rawTx / (r.rawMs / 1000);
    const ratio = median(results.map((r) => tps(r) / raw(r)));
    const mid = [...results].sort((a, b) => tps(a) - tps(b))[Math.floor((results.length - 1) / 2)]!;
    const list = (f: (r: Round) => number) => (results.length > 1 ? `; rounds ${results.map((r) => fmt(f(r))).join(', ')}` : '');
    const verdict = v.target ? ` ${passMiss(ratio >= TARGET_RATIO)} (target ≥ ${TARGET_RATIO})` : '';

    const row = (name: string, perSec: number, iterations: number, note: string): Measurement => ({
      name,
      opsPerSec: perSec,
      meanUs: 1e6 / perSec,
      iterations,
      note,
    });
    const rows: Measurement[] = [
      row(
        `engine transitions/s (${tag})`,
        median(results.map(tps)),
        mid.transitions,
        `ratio ${ratio.toFixed(2)} vs raw${verdict}${list(tps)}`,
      ),
      row(
        `engine commits/s (${tag})`,
        median(results.map(cps)),
        mid.commits,
        `${fmt(mid.commits / mid.instances)} commits/instance, ${fmt(mid.statements / mid.transitions)} statements/transition, ` +
          `node CPU ${Math.round((100 * mid.cpuMs) / mid.engineMs)}% of one core`,
      ),
      row(`raw PG tx/s, ${clients.length} clients (same run)`, median(results.map(raw)), mid.rawTx, `${RAW_TX_DESCRIPTION}${list(raw)}`),
    ];
    if (v.notifyBaseline) {
      const nps = (r: Round) => r.notifyTx! / (r.notifyMs! / 1000);
      rows.push(row(`raw PG tx/s + pg_notify, ${clients.length} clients`, median(results.map(nps)), mid.notifyTx!, `the same with SELECT pg_notify(…) before COMMIT${list(nps)}`));
    }

    const footer: string[] = [];
    footer.push(
      `- ${tag}: after ${mid.instances} completed instances, ${fmt(mid.leftoverWork)} work rows still queued ` +
        `(${fmt(mid.leftoverWork / mid.instances)}/instance); ${fmt(mid.logRows / mid.transitions)} log rows written per transition`,
    );
    if (counter.timed) {
      footer.push(`- ${tag}: what the engine sent to PostgreSQL during the rounds`);
      footer.push(...profileLines(counter, results.reduce((a, r) => a + r.transitions, 0), 'transition'));
    }
    return { rows, footer, ratio };
  } finally {
    counter.on = false;
    http.close();
    await sys.stop();
  }
}

export const engineTransitionsSuite: BenchSuite = {
  title: 'engine transitions',
  async run(opts: MeasureOptions): Promise<SuiteResult> {
    const durationMs = opts.durationMs ?? 2_000;
    const quick = durationMs < 1_000;
    const rounds = Number(process.env['BENCH_ENGINE_ROUNDS'] ?? (quick ? 1 : 3));
    const problem = await postgresProblem();
    if (problem) return { rows: [], footer: [`skipped: ${problem}`] };

    const load = loadNote();
    const bdb = await createBenchDatabase();
    const counter = new StatementCounter(profiling()).install();
    const clients = await connectClients(bdb.connection, INSTANCES).catch(async (err: unknown) => {
      counter.uninstall();
      await bdb.drop();
      throw err;
    });
    const rows: Measurement[] = [];
    const footer: string[] = [];
    let targetRatio: number | undefined;
    try {
      for (const v of VARIANTS) {
        const r = await runVariant(v, bdb, clients, counter, rounds, durationMs);
        rows.push(...r.rows);
        footer.push(...r.footer);
        if (v.target) targetRatio = r.ratio;
      }
    } finally {
      counter.uninstall();
      await closeClients(clients);
      await bdb.drop();
    }
    footer.unshift(
      `${INSTANCES} concurrent instances × ${STATES} noop states, PostgreSQL database ${bdb.name} (dropped), ` +
        `median of ${rounds} round(s) of ≥ ${durationMs} ms; ratio = transitions/s ÷ raw tx/s, median of per-round ratios; ${load}`,
      `target (issue): ratio ≥ ${TARGET_RATIO} at the default settings: ${targetRatio === undefined ? 'not measured' : `${passMiss(targetRatio >= TARGET_RATIO)} (${targetRatio.toFixed(2)})`}`,
    );
    return { rows, footer };
  },
};
