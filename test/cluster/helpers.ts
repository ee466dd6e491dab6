/**
 * Multi-process tests: `direktiv -t w` server processes on one PostgreSQL database, spawned as
 * children of the test, SIGKILLed on purpose, and checked for exactly-once execution from the
 * database afterwards.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPostgresDatabase, dropPostgresDatabase } from '../helpers/db.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface NodeOptions {
  /** names the node: its connections carry it as application_name (see trackNodes) */
  name: string;
  workers?: number;
  /** ISO duration of the queue poll interval */
  pollInterval?: string;
  /** `-t` (default "w"); a node without w is ready when its secrets service listens */
  components?: string;
  /** more environment (config overrides) */
  env?: Record<string, string>;
}

export interface ServerNode {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** http://127.0.0.1:PORT: the public API, or the secrets service of a node without w */
  url: string;
  /** resolves with the exit code or signal once the process is gone */
  exited: Promise<string>;
  /** the last lines the process wrote (stdout and stderr), for failure messages */
  tail(lines?: number): string;
  /** the process's error and fatal log lines (pino level 50 and up) and its stderr */
  errors(): string;
  /** CPU time (user + system) the process has used so far, in milliseconds; null once it is gone */
  cpuMs(): number | null;
  kill(signal?: NodeJS.Signals): Promise<string>;
}

/** Every node spawned and not yet reaped; killAllNodes() clears it (call it from afterEach). */
const live = new Set<ServerNode>();
// Should the test process itself go away, its servers go with it.
process.once('exit', () => {
  for (const n of live) n.proc.kill('SIGKILL');
});

export function connectionUrl(database: string, applicationName?: string): string {
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const user = process.env.PGUSER ?? 'postgres';
  const app = applicationName ? `?application_name=${encodeURIComponent(applicationName)}` : '';
  return `postgres://${user}@${host}:${port}/${database}${app}`;
}

/** Starts `direktiv -t w` (or `opts.components`) on `database`; resolves once it listens. */
export async function startNode(database: string, opts: NodeOptions, startTimeoutMs = 30_000): Promise<ServerNode> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DIREKTIV_DB: connectionUrl(database, opts.name),
    DIREKTIV_INGRESS_BIND: '127.0.0.1:0',
    DIREKTIV_ENGINE_POLL_INTERVAL: opts.pollInterval ?? 'PT0.2S',
    // Its own data directory (a generated master key lands there), never the checkout's ./data.
    DIREKTIV_DATA: mkdtempSync(join(tmpdir(), 'direktiv-node-')),
    ...opts.env,
  };
  const components = opts.components ?? 'w';
  const ready = components.includes('w') ? /"msg":"API listening on (http:\/\/[^"]+)"/ : /"msg":"secrets service listening on (https?:\/\/[^" ]+)/;
  if (opts.workers !== undefined) env.DIREKTIV_ENGINE_WORKERS = String(opts.workers);
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/direktiv.ts', '-t', components], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const errorLines: string[] = [];
  const remember = (line: string, isError = /"level":(5|6)0/.test(line)) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
    if (isError && errorLines.length < 100) errorLines.push(line);
  };
  const exited = new Promise<string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`node ${opts.name} did not listen within ${startTimeoutMs} ms:\n${lines.join('\n')}`));
    }, startTimeoutMs);
    let pending = '';
    // Both pipes are read to the end, so a chatty process never blocks on a full pipe.
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        remember(line);
        const m = ready.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    });
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => remember(chunk.trimEnd(), true));
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`node ${opts.name} ended (${how}) before it listened:\n${lines.join('\n')}`));
    });
  });
  const pid = proc.pid!;
  const node: ServerNode = {
    name: opts.name,
    proc,
    pid,
    url,
    exited,
    tail: (n = 30) => lines.slice(-n).join('\n'),
    errors: () => errorLines.join('\n'),
    cpuMs: () => processCpuMs(pid),
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const how = await exited;
      live.delete(node);
      return how;
    },
  };
  live.add(node);
  void exited.then(() => live.delete(node));
  return node;
}

/** SIGKILLs every node still running (for afterEach: runs whether or not the test failed). */
export async function killAllNodes(): Promise<void> {
  await Promise.all([...live].map((n) => n.kill('SIGKILL')));
}

/** utime + stime of a process from /proc/<pid>/stat, in milliseconds. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The database

export interface ClusterDb {
  name: string;
  /** a client of the test itself, for polling and the final checks */
  client: pg.Client;
  drop(): Promise<void>;
}

/**
 * A fresh migrated database, instrumented so that every log line records which node wrote it:
 * `logs.node` defaults to the writing connection's application_name (each node connects with
 * its own, see startNode). The engine names its columns on insert, so it does not notice.
 */
export async function createClusterDb(): Promise<ClusterDb> {
  const config = await createPostgresDatabase();
  const name = config.database!;
  const client = new pg.Client({ ...config, application_name: 'cluster-test' });
  await client.connect();
  await client.query(`ALTER TABLE logs ADD COLUMN node text DEFAULT current_setting('application_name', true)`);
  let dropped = false;
  return {
    name,
    client,
    async drop() {
      if (dropped) return;
      dropped = true;
      await client.end().catch(() => undefined);
      await dropPostgresDatabase(name);
    },
  };
}

/** Polls `check` every `everyMs` until it returns true; fails with `describe()` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
  everyMs = 200,
): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits until PostgreSQL has ended every backend of a (killed) node. A backend notices its
 * client is gone only when it next reads from it, so a COMMIT sent just before the kill may
 * still land; counting a dead node's work before this would race with it.
 */
export async function waitForBackendsGone(client: pg.Client, applicationName: string, timeoutMs = 10_000): Promise<void> {
  await waitUntil(
    async () => {
      const r = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
        [applicationName],
      );
      return r.rows[0]!.n === 0;
    },
    timeoutMs,
    () => `backends of ${applicationName} still connected`,
    20,
  );
}

export async function statusCounts(client: pg.Client): Promise<Record<string, number>> {
  const r = await client.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM instances GROUP BY status',
  );
  return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
}

// ---------------------------------------------------------------------------------------------
// The HTTP API

async function call(base: string, method: string, path: string, body?: string, contentType?: string) {
  const res = await fetch(base + path, {
    method,
    headers: contentType ? { 'content-type': contentType } : {},
    body,
  });
  const text = await res.text();
  return { status: res.status, text };
}

export async function createNamespace(base: string, ns: string): Promise<void> {
  const r = await call(base, 'PUT', `/api/namespaces/${ns}`);
  if (r.status !== 200 && r.status !== 201) throw new Error(`PUT namespace ${ns}: ${r.status} ${r.text}`);
}

export async function deployWorkflow(base: string, ns: string, yaml: string): Promise<void> {
  const r = await call(base, 'POST', `/api/namespaces/${ns}/workflows`, yaml, 'application/yaml');
  if (r.status !== 200 && r.status !== 201) throw new Error(`POST workflow: ${r.status} ${r.text}`);
}

export async function execute(base: string, ns: string, wf: string, input: unknown = {}): Promise<string> {
  const r = await call(base, 'POST', `/api/namespaces/${ns}/workflows/${wf}/execute`, JSON.stringify(input), 'application/json');
  if (r.status !== 202) throw new Error(`execute ${ns}/${wf} on ${base}: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { instanceId: string }).instanceId;
}

/**
 * Runs `jobs` with at most `concurrency` in flight; returns their results in order. The first
 * failure rejects (after the jobs already started have settled).
 */
export async function inParallel<T>(jobs: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  let failure: Error | undefined;
  const lane = async () => {
    while (next < jobs.length && failure === undefined) {
      const i = next++;
      try {
        results[i] = await jobs[i]!();
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(`job ${i} failed: ${JSON.stringify(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  if (failure !== undefined) throw failure;
  return results;
}

// ---------------------------------------------------------------------------------------------
// Workflows and the exactly-once check

export interface ChainSpec {
  id: string;
  /** the states in order, each a noop that counts (`.n += 1`), or a delay */
  states: ({ kind: 'noop' } | { kind: 'delay'; duration: string })[];
}

export const stateId = (i: number) => `s${i + 1}`;

/** The YAML of a chain: state i is `s<i+1>`; every noop adds one to `.n`. */
export function chainYaml(spec: ChainSpec): string {
  const lines = [`id: ${spec.id}`, 'states:'];
  spec.states.forEach((s, i) => {
    lines.push(`- id: ${stateId(i)}`);
    if (s.kind === 'noop') {
      lines.push('  type: noop', `  transform: 'jq(.n += 1)'`);
    } else {
      lines.push('  type: delay', `  duration: ${s.duration}`);
    }
    if (i + 1 < spec.states.length) lines.push(`  transition: ${stateId(i + 1)}`);
  });
  return lines.join('\n') + '\n';
}

export interface Expected {
  flow: string[];
  /** `Running state logic -- <state>:<step> (<type>)`, one per state, in order */
  entries: string[];
  counter: number;
}

export function expectedRun(spec: ChainSpec): Expected {
  return {
    flow: spec.states.map((_, i) => stateId(i)),
    entries: spec.states.map((s, i) => `Running state logic -- ${stateId(i)}:${i + 1} (${s.kind})`),
    counter: spec.states.filter((s) => s.kind === 'noop').length,
  };
}

export interface InstanceReport {
  id: string;
  workflow: string;
  status: string;
  flow: string[];
  output: unknown;
  entries: string[];
  begins: number;
  completions: number;
  work: { kind: string; step: number | null; run_at: Date }[];
}

/** Everything the exactly-once check looks at for the given instances, read from the database. */
export async function instanceReports(client: pg.Client, ids: string[]): Promise<Map<string, InstanceReport>> {
  const r = await client.query<InstanceReport>(
    `SELECT i.id, i.workflow, i.status, i.flow, i.output,
            coalesce(l.entries, '{}') AS entries, coalesce(l.begins, 0) AS begins,
            coalesce(l.completions, 0) AS completions,
            coalesce(w.work, '[]') AS work
       FROM instances i
       LEFT JOIN LATERAL (
         SELECT array_agg(msg ORDER BY id) FILTER (WHERE msg LIKE 'Running state logic -- %') AS entries,
                (count(*) FILTER (WHERE msg LIKE 'Beginning workflow%'))::int AS begins,
                (count(*) FILTER (WHERE msg = 'Workflow completed.'))::int AS completions
           FROM logs WHERE instance_id = i.id) l ON true
       LEFT JOIN LATERAL (
         SELECT json_agg(json_build_object('kind', kind, 'step', step, 'run_at', run_at) ORDER BY id) AS work
           FROM work WHERE instance_id = i.id) w ON true
      WHERE i.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(r.rows.map((x) => [x.id, x]));
}

/**
 * The problems found with exactly-once execution, one line per instance (empty: none): each
 * instance exists, is complete, its counter equals the number of noops, its flow lists every
 * state once in order, its log has one "Running state logic" line per state (a state that ran
 * in two committed transactions would show twice), one begin and one completion, and it has no
 * work left in the queue.
 */
export async function exactlyOnceProblems(
  client: pg.Client,
  ids: string[],
  expected: (workflow: string) => Expected,
): Promise<string[]> {
  const reports = await instanceReports(client, ids);
  const problems: string[] = [];
  for (const id of ids) {
    const r = reports.get(id);
    if (!r) {
      problems.push(`${id}: missing from the instances table`);
      continue;
    }
    const e = expected(r.workflow);
    const why: string[] = [];
    if (r.status !== 'complete') why.push(`status ${r.status}`);
    const n = (r.output as { n?: unknown } | null)?.n;
    if (n !== e.counter) why.push(`counter ${String(n)} (want ${e.counter})`);
    if (JSON.stringify(r.flow) !== JSON.stringify(e.flow)) why.push(`flow [${r.flow.join(',')}]`);
    if (JSON.stringify(r.entries) !== JSON.stringify(e.entries)) {
      why.push(`state entries logged: ${describeEntries(r.entries, e.entries)}`);
    }
    if (r.begins !== 1) why.push(`${r.begins} "Beginning workflow" lines`);
    if (r.completions !== 1) why.push(`${r.completions} "Workflow completed." lines`);
    if (r.work.length > 0) why.push(`work left: ${JSON.stringify(r.work)}`);
    if (why.length > 0) problems.push(`${id}: ${why.join('; ')}`);
  }
  return problems;
}

function describeEntries(got: string[], want: string[]): string {
  const counts = new Map<string, number>();
  for (const g of got) counts.set(g, (counts.get(g) ?? 0) + 1);
  const twice = [...counts].filter(([, c]) => c > 1).map(([m, c]) => `${m} ×${c}`);
  const missing = want.filter((w) => !counts.has(w));
  const extra = [...counts.keys()].filter((g) => !want.includes(g));
  const parts = [`${got.length} lines (want ${want.length})`];
  if (twice.length) parts.push(`repeated: ${twice.slice(0, 5).join(', ')}`);
  if (missing.length) parts.push(`missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}`);
  if (extra.length) parts.push(`unexpected: ${extra.slice(0, 5).join(', ')}`);
  if (!twice.length && !missing.length && !extra.length) parts.push('out of order');
  return parts.join(', ');
}

/** Instances of other ids, duplicates and leftover work: things that must not exist at the end. */
export async function globalProblems(client: pg.Client, ids: string[]): Promise<string[]> {
  const problems: string[] = [];
  const total = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM instances');
  if (total.rows[0]!.n !== ids.length) problems.push(`${total.rows[0]!.n} instances in the table (want ${ids.length})`);
  if (new Set(ids).size !== ids.length) problems.push('the API returned the same instance id twice');
  const work = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM work');
  if (work.rows[0]!.n !== 0) problems.push(`${work.rows[0]!.n} work rows left`);
  return problems;
}

/** Log lines of state entries per node (the `node` column createClusterDb adds). */
export async function entriesPerNode(client: pg.Client, msgLike = 'Running state logic -- %'): Promise<Record<string, number>> {
  const r = await client.query<{ node: string | null; n: number }>(
    `SELECT node, count(*)::int AS n FROM logs WHERE msg LIKE $1 GROUP BY node`,
    [msgLike],
  );
  return Object.fromEntries(r.rows.map((x) => [x.node ?? '?', x.n]));
}
