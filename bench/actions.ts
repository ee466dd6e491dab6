/**
 * Functions as containers, on PostgreSQL and real Podman (a `podman system service` of the
 * bench's own), each figure next to a baseline measured in the same run:
 *
 * 1. cold start of an `isolated` function (a fresh container per call): dispatch to the
 *    ActionRunner until its result report, and a one-state workflow from execute to its end;
 *    next to a raw `podman run --rm -d` of the same image (same network mode and limits) until
 *    its first 200 to POST /, and the same through the Docker API (create, start, inspect);
 * 2. per-call overhead of a warm `reusable` function: a workflow of 40 sequential action states
 *    (execute to end) minus 40 direct POSTs to the same warm container; the runner alone (40
 *    dispatches to reports) the same way; the engine's share next to a raw single-row transaction
 *    (an action state commits twice: its result's wake, then its step); and a workflow of 40 noop
 *    states for the engine's own cost per state.
 *
 * Samples alternate the operations they compare (the order rotating), so a noisy machine slows
 * each alike; ratios and differences are of figures from the same run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import type pg from 'pg';
import type { ActionRequest, CallResult } from '../src/actions/index.js';
import { SIZES, TEMP_MOUNT, containerOptions } from '../src/actions/index.js';
import { latencyRow, median, type BenchSuite, type Measurement, type MeasureOptions, type SuiteResult } from './harness.js';
import { BENCH_IMAGE, ApiRecorder, buildBenchImage, podmanEnv, podmanProblem, startActionsSystem, startPodman, type ApiCall, type ActionsSystem } from './actions-setup.js';
import { RAW_TX_DESCRIPTION, StatementCounter, closeClients, connectClients, createBenchDatabase, fmt, loadNote, passMiss, postgresProblem, profileLines, profiling, progress, rawTx } from './engine-setup.js';

const run = promisify(execFile);

const NS = 'bench';
const ACTIONS = 40;
const TARGET_COLD_RATIO = 1.2;
const TARGET_OVERHEAD_MS = 5;
/** How often a raw container's port is tried until it answers (the runner tries every 20 ms). */
const POLL_MS = 10;
const INPUT = { n: 1 };
const INPUT_JSON = JSON.stringify(INPUT);
const PORT = '8080/tcp';
/** Labels the raw baseline's containers, so the end of the run removes any a failure left. */
const RUN_LABEL = `direktiv.bench.run=${process.pid}-${Date.now()}`;

const fnDef = (type: 'isolated' | 'reusable') => `functions:
- id: f
  image: ${BENCH_IMAGE}
  type: ${type}
`;

const actionState = (i: number, last: boolean) => `- id: a${i}
  type: action
  action:
    function: f
    input: {n: 1}
${last ? '' : `  transition: a${i + 1}\n`}`;

const COLD_WF = `id: cold
${fnDef('isolated')}states:
${actionState(0, true)}`;

const WARM_WF = `id: warm
${fnDef('reusable')}states:
${Array.from({ length: ACTIONS }, (_, i) => actionState(i, i === ACTIONS - 1)).join('')}`;

const NOOP_WF = `id: noops
states:
${Array.from({ length: ACTIONS }, (_, i) => `- id: s${i}\n  type: noop\n${i === ACTIONS - 1 ? '' : `  transition: s${i + 1}\n`}`).join('')}`;

let seq = 0;

/** A call as the engine would dispatch it, for the runner directly (its report goes to the bench). */
function request(type: 'isolated' | 'reusable'): ActionRequest {
  return {
    actionId: `bench-${type}-${++seq}`,
    instanceId: `bench-${seq}`,
    namespace: NS,
    workflow: type === 'reusable' ? 'warm' : 'cold',
    step: 0,
    branch: 0,
    fn: { id: 'f', type, image: BENCH_IMAGE, size: 'small', files: [] },
    input: INPUT,
    files: [],
    deadline: new Date(Date.now() + 120_000),
    async: false,
  };
}

/** One call through the runner: dispatch until its report; a result other than the output is an error. */
async function callRunner(sys: ActionsSystem, type: 'isolated' | 'reusable'): Promise<number> {
  const req = request(type);
  const reported = sys.expectReport(req.actionId);
  const t0 = performance.now();
  await sys.runner.dispatch(req);
  const result: CallResult = await reported;
  const ms = performance.now() - t0;
  if (!('out' in result)) throw new Error(`the ${type} call failed: ${JSON.stringify(result)}`);
  return ms;
}

/** POST / as the runner sends it (fetch, the protocol's headers); true on a 200. */
async function postOnce(port: number, timeoutMs: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'Direktiv-ActionID': `bench-direct-${++seq}`,
      'Direktiv-Deadline': new Date(Date.now() + 60_000).toISOString(),
      'Direktiv-TempDir': `${TEMP_MOUNT}/direct`,
    },
    body: INPUT_JSON,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.arrayBuffer();
  if (res.status === 200) JSON.parse(Buffer.from(body).toString('utf8'));
  return res.status === 200;
}

/** Polls a freshly started container's published port until the function answers 200. */
async function firstAnswer(port: number): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    if (await postOnce(port, 2_000).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`port ${port} did not answer 200 within a minute`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function hostPort(docker: Dockerode, id: string): Promise<number> {
  const port = (await docker.getContainer(id).inspect()).NetworkSettings.Ports[PORT]?.[0]?.HostPort;
  if (!port) throw new Error(`container ${id} has no published port 8080`);
  return Number(port);
}

const size = SIZES.small;

/** Phases of one raw start, in ms. */
type Phases = Record<string, number>;

/** `podman run --rm -d` with the runner's network mode and limits, to the first 200; the container is removed afterwards. */
async function rawPodmanRun(docker: Dockerode, dataDir: string): Promise<{ ms: number; phases: Phases }> {
  const args = [
    'run', '--rm', '-d',
    '--network', 'slirp4netns', '-p', '127.0.0.1::8080',
    '--memory', `${size.memoryMb}m`, '--memory-swap', `${size.memoryMb}m`, '--cpus', String(size.cpus), '--pids-limit', String(size.pids),
    '--read-only', '--tmpfs', '/tmp:rw,size=64m', '-v', `${dataDir}:${TEMP_MOUNT}:rw`,
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--label', RUN_LABEL,
    BENCH_IMAGE,
  ];
  const t0 = performance.now();
  const { stdout } = await run('podman', args, { env: podmanEnv() });
  const t1 = performance.now();
  const id = stdout.trim().split('\n').pop()!;
  try {
    const port = await hostPort(docker, id);
    const t2 = performance.now();
    await firstAnswer(port);
    const t3 = performance.now();
    return { ms: t3 - t0, phases: { 'podman run -d': t1 - t0, 'port (inspect)': t2 - t1, 'ready + call': t3 - t2 } };
  } finally {
    await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  }
}

/** The same start through the Docker API, with the container the runner creates (src/actions/container.ts). */
async function rawApiRun(docker: Dockerode, dataDir: string): Promise<{ ms: number; phases: Phases }> {
  const t0 = performance.now();
  const [labelKey, labelValue] = RUN_LABEL.split('=') as [string, string];
  const c = await docker.createContainer(
    containerOptions({ image: BENCH_IMAGE, size: 'small', env: {}, labels: { [labelKey]: labelValue }, network: 'slirp4netns', dataDir }),
  );
  try {
    const t1 = performance.now();
    await c.start();
    const t2 = performance.now();
    const port = await hostPort(docker, c.id);
    const t3 = performance.now();
    await firstAnswer(port);
    const t4 = performance.now();
    return { ms: t4 - t0, phases: { create: t1 - t0, start: t2 - t1, 'port (inspect)': t3 - t2, 'ready + call': t4 - t3 } };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/**
 * Where an isolated call's time went, from the Docker API requests the runner sent: before the
 * create, each request, the wait for the function and its call (from the port lookup to the
 * logs read), and from the removal to the report. Undefined when the requests are not the usual.
 */
function runnerPhases(calls: ApiCall[], t0: number, tEnd: number): Phases | undefined {
  const find = (what: string, after = -Infinity) => calls.find((c) => c.what.startsWith(what) && c.t0 >= after);
  const create = find('POST /containers/create');
  const start = create && find('POST /containers/{id}/start', create.t1);
  const inspect = start && find('GET /containers/{id}/json', start.t1);
  const logs = inspect && find('GET /containers/{id}/logs', inspect.t1);
  const remove = logs && find('DELETE /containers/{id}', logs.t1);
  if (!create || !start || !inspect || !logs || !remove) return undefined;
  return {
    'before create (image check, journal, dirs)': create.t0 - t0,
    create: create.t1 - create.t0,
    start: start.t1 - start.t0,
    'port (inspect)': inspect.t1 - inspect.t0,
    'ready + call': logs.t0 - inspect.t1,
    'logs read': logs.t1 - logs.t0,
    remove: remove.t1 - remove.t0,
    'after remove (dir, report)': tEnd - remove.t1,
  };
}

/** The median of each phase over the samples, as one line. */
function phaseLine(label: string, samples: Phases[]): string {
  if (samples.length === 0) return `  ${label}: no complete sample`;
  const names = Object.keys(samples[0]!);
  return `  ${label}: ${names.map((n) => `${n} ${fmt(median(samples.map((s) => s[n] ?? NaN)))}`).join(', ')}`;
}

/** A sample count from the environment (a positive integer), else `dflt`. */
function count(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not '${v}'`);
  return n;
}

/** The runner removes an isolated call's container before it reports: what that costs the call. */
function removalLine(samples: Phases[], runnerMs: number, rawMs: number): string[] {
  if (samples.length === 0) return [];
  const remove = median(samples.map((p) => p['remove']!));
  return [
    `  the runner reports after removing the container: removal p50 ${fmt(remove)} ms of the call's ${fmt(runnerMs)} ms; ` +
      `reported before it, the call would take about ${fmt(runnerMs - remove)} ms = ${fmt((runnerMs - remove) / rawMs)}× raw podman run`,
  ];
}

/** Runs each operation once per round, `rounds` times, starting each round one later in the list; ms per call by name. */
async function alternate(rounds: number, ops: Record<string, () => Promise<number>>): Promise<Record<string, number[]>> {
  const names = Object.keys(ops);
  const out: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length]!;
      out[k]!.push(await ops[k]!());
    }
  }
  return out;
}

/** A row of derived per-unit figures (ms), which may be ≤ 0 on a noisy machine. */
function derivedRow(name: string, samplesMs: number[], note: string): Measurement {
  const row = latencyRow(name, samplesMs, note);
  if (!(row.meanUs > 0)) row.opsPerSec = NaN;
  return row;
}

/** The containers this run made (the runner's by its node label, the raw ones by RUN_LABEL), removed. */
async function sweep(docker: Dockerode, nodeId: string | undefined): Promise<number> {
  const labels = [RUN_LABEL, ...(nodeId ? [`direktiv.node=${nodeId}`] : [])];
  let n = 0;
  for (const label of labels) {
    for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      n++;
    }
  }
  return n;
}

export const actionsSuite: BenchSuite = {
  title: 'actions',
  async run(opts: MeasureOptions): Promise<SuiteResult> {
    const durationMs = opts.durationMs ?? 2_000;
    const quick = durationMs < 1_000;
    const coldN = count('BENCH_ACTIONS_COLD_N', quick ? 3 : 8);
    const warmN = count('BENCH_ACTIONS_WARM_N', quick ? 3 : 10);
    const footer = [`PostgreSQL, Podman (runc, slirp4netns); ${loadNote()}`];
    const problem = (await postgresProblem()) ?? (await podmanProblem());
    if (problem) return { rows: [], footer: [...footer, `skipped: ${problem}`] };

    const bdb = await createBenchDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'direktiv-bench-raw-'));
    try {
      const podman = await startPodman();
      const { docker } = podman;
      let sys: ActionsSystem | undefined;
      const clients: pg.Client[] = [];
      try {
        progress('actions: building the function image');
        footer.push(`setup: ${BENCH_IMAGE} built in ${fmt(await buildBenchImage(docker))} s`);
        const recorder = new ApiRecorder(docker);
        sys = await startActionsSystem(docker, bdb.connection);
        const s = sys;
        await s.deploy(NS, COLD_WF);
        await s.deploy(NS, WARM_WF);
        await s.deploy(NS, NOOP_WF);

        // ---- 1. cold start of an isolated function
        progress(`actions: cold starts (${coldN} rounds)`);
        const phases: Record<string, Phases[]> = { runner: [], run: [], api: [] };
        const coldOps: Record<string, () => Promise<number>> = {
          runner: async () => {
            recorder.take();
            recorder.on = true;
            const t0 = performance.now();
            try {
              const ms = await callRunner(s, 'isolated');
              const p = runnerPhases(recorder.take(), t0, t0 + ms);
              if (p) phases['runner']!.push(p);
              return ms;
            } finally {
              recorder.on = false;
            }
          },
          workflow: async () => {
            const t0 = performance.now();
            await s.run(NS, 'cold', {});
            return performance.now() - t0;
          },
          run: async () => {
            const r = await rawPodmanRun(docker, dataDir);
            phases['run']!.push(r.phases);
            return r.ms;
          },
          api: async () => {
            const r = await rawApiRun(docker, dataDir);
            phases['api']!.push(r.phases);
            return r.ms;
          },
        };
        // One of each first: the first container of an image pays for mounting its layers.
        await alternate(1, coldOps);
        for (const k of Object.keys(phases)) phases[k] = [];
        const cold = await alternate(coldN, coldOps);
        const coldP50 = Object.fromEntries(Object.entries(cold).map(([k, v]) => [k, median(v)])) as Record<string, number>;
        const coldRatio = coldP50['runner']! / coldP50['run']!;

        // ---- 2. per-call overhead of a warm reusable function
        progress(`actions: warm reusable calls (${warmN} rounds of ${ACTIONS})`);
        await s.run(NS, 'warm', {});
        const warm = await docker.listContainers({ filters: { label: ['direktiv.function', `direktiv.node=${s.nodeId}`] } });
        if (warm.length !== 1) throw new Error(`expected one warm container of the reusable function, found ${warm.length}`);
        const port = await hostPort(docker, warm[0]!.Id);
        // The floor under the engine's share: an action state commits its wake and its step.
        const [pgc] = await connectClients(bdb.connection, 1);
        clients.push(pgc!);
        const warmOps: Record<string, () => Promise<number>> = {
          workflow: async () => {
            const t0 = performance.now();
            await s.run(NS, 'warm', {});
            return performance.now() - t0;
          },
          runner: async () => {
            const t0 = performance.now();
            for (let i = 0; i < ACTIONS; i++) await callRunner(s, 'reusable');
            return performance.now() - t0;
          },
          direct: async () => {
            const t0 = performance.now();
            for (let i = 0; i < ACTIONS; i++) if (!(await postOnce(port, 10_000))) throw new Error('the warm container did not answer 200');
            return performance.now() - t0;
          },
          rawtx: async () => {
            const t0 = performance.now();
            for (let i = 0; i < ACTIONS; i++) await rawTx(pgc!);
            return performance.now() - t0;
          },
          noops: async () => {
            const t0 = performance.now();
            await s.run(NS, 'noops', {});
            return performance.now() - t0;
          },
        };
        await alternate(1, warmOps);
        const w = await alternate(warmN, warmOps);
        // Counted apart from the timed rounds: what one warm action state sends to PostgreSQL.
        const counter = new StatementCounter(profiling()).install();
        try {
          counter.on = true;
          await s.run(NS, 'warm', {});
        } finally {
          counter.on = false;
          counter.uninstall();
        }
        const afterWarm = await docker.listContainers({ filters: { label: ['direktiv.function', `direktiv.node=${s.nodeId}`] } });
        const perAction = w['workflow']!.map((t, i) => (t - w['direct']![i]!) / ACTIONS);
        const perRunnerCall = w['runner']!.map((t, i) => (t - w['direct']![i]!) / ACTIONS);
        const perNoop = w['noops']!.map((t) => t / ACTIONS);
        const perEngine = w['workflow']!.map((t, i) => (t - w['runner']![i]!) / ACTIONS);
        const rawTxMs = median(w['rawtx']!) / ACTIONS;
        const overheadP50 = median(perAction);

        const rows: Measurement[] = [
          latencyRow('isolated, cold: ActionRunner dispatch → result report', cold['runner']!, `${fmt(coldRatio)}× raw podman run; ${passMiss(coldRatio <= TARGET_COLD_RATIO)} (target ≤ ${TARGET_COLD_RATIO}×)`),
          latencyRow('isolated, cold: one-state workflow execute → end', cold['workflow']!, `${fmt(coldP50['workflow']! / coldP50['run']!)}× raw podman run`),
          latencyRow('raw: podman run --rm -d → first 200 to POST /', cold['run']!, `CLI; port via the API; polled every ${POLL_MS} ms`),
          latencyRow('raw: Docker API create, start, inspect → first 200', cold['api']!, `runner's container spec; ${fmt(coldP50['runner']! / coldP50['api']!)}× this for the runner`),
          latencyRow(`reusable, warm: workflow of ${ACTIONS} action states execute → end`, w['workflow']!, `${fmt(median(w['workflow']!) / ACTIONS)} ms per action state`),
          latencyRow(`reusable, warm: ${ACTIONS} ActionRunner dispatches → reports`, w['runner']!, 'sequential, no engine'),
          latencyRow(`raw: ${ACTIONS} POSTs to the same warm container`, w['direct']!, 'fetch, sequential (as the runner posts)'),
          latencyRow(`engine: workflow of ${ACTIONS} noop states execute → end`, w['noops']!, 'for reference'),
          derivedRow('per action state: (workflow − direct POSTs)/40', perAction, `${passMiss(overheadP50 <= TARGET_OVERHEAD_MS)} (target ≤ ${TARGET_OVERHEAD_MS} ms)`),
          derivedRow('per call, runner alone: (dispatches − direct POSTs)/40', perRunnerCall, 'journal, call dir, fetch, report'),
          derivedRow('per action state, engine share: (workflow − dispatches)/40', perEngine, `${fmt(median(perEngine) / rawTxMs)}× a raw single-row tx`),
          derivedRow('per noop state: noop workflow/40', perNoop, "engine's own per-state cost"),
          latencyRow(`PostgreSQL: ${ACTIONS} raw single-row transactions`, w['rawtx']!, `${RAW_TX_DESCRIPTION}; one client; ${fmt(rawTxMs)} ms each`),
        ];
        footer.push(
          `target: isolated cold start ≤ ${TARGET_COLD_RATIO}× raw podman run: ${passMiss(coldRatio <= TARGET_COLD_RATIO)} ` +
            `(p50 ${fmt(coldP50['runner']!)} ms vs ${fmt(coldP50['run']!)} ms = ${fmt(coldRatio)}×; ${coldN} samples each, alternating)`,
          `target: warm reusable per-action overhead ≤ ${TARGET_OVERHEAD_MS} ms: ${passMiss(overheadP50 <= TARGET_OVERHEAD_MS)} ` +
            `(p50 ${fmt(overheadP50)} ms of which the runner alone ${fmt(median(perRunnerCall))} ms; ${warmN} rounds of ${ACTIONS}; ` +
            `a direct POST ${fmt(median(w['direct']!) / ACTIONS)} ms; an engine noop state ${fmt(median(perNoop))} ms)`,
          `- cold-start phases, p50 ms (the runner's from its Docker API requests):`,
          phaseLine('runner', phases['runner']!),
          phaseLine('podman run', phases['run']!),
          phaseLine('Docker API', phases['api']!),
          ...removalLine(phases['runner']!, coldP50['runner']!, coldP50['run']!),
          `- a warm action state sent ${fmt(counter.statements / ACTIONS)} statements and ${fmt(counter.commits / ACTIONS)} commits to PostgreSQL ` +
            `(one workflow run counted${profiling() ? '' : '; BENCH_ENGINE_PROFILE=1 for the statements'})`,
          ...(profiling() ? profileLines(counter, ACTIONS, 'action state') : []),
          `- warm: ${afterWarm.length} container(s) of the reusable function served every call (MaxScale 4, calls sequential)`,
        );
        return { rows, footer };
      } finally {
        // Each step runs even when one before it failed: nothing of this run may stay behind.
        const nodeId = sys?.nodeId;
        try {
          await closeClients(clients);
          await sys?.stop();
        } finally {
          try {
            const left = await sweep(docker, nodeId);
            if (left > 0) progress(`actions: removed ${left} container(s) left behind`);
          } finally {
            await podman.stop();
          }
        }
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await bdb.drop();
    }
  },
};
