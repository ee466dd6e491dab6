/**
 * Shared helpers of the engine's semantic suites: starting instances without waiting, finding
 * children, reading log lines with their levels, and waiting for conditions without fixed sleeps.
 */
import { Engine } from '../../src/engine/index.js';
import type { EngineDeps, InstanceDetail } from '../../src/engine/index.js';
import type { Value } from '../../src/jq/index.js';
import * as logs from '../../src/logs/index.js';
import type { LogLine } from '../../src/logs/index.js';
import type { TestEngine } from '../helpers/engine.js';

let counter = 0;

/** A fresh namespace name (valid against the name pattern), unique within the test file. */
export function freshNs(prefix = 'ns'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Starts an instance the way the API does and returns its id without waiting for the end. */
export async function start(e: TestEngine, ns: string, wf: string, input?: Value): Promise<string> {
  const { instanceId } = await e.engine.execute({
    namespace: ns,
    workflow: wf,
    input: input === undefined ? undefined : Buffer.from(JSON.stringify(input)),
    invokedBy: { kind: 'api' },
  });
  return instanceId;
}

/** Waits for an instance to end (throws when it does not within `timeoutMs`). */
export async function waitEnd(e: TestEngine, id: string, timeoutMs = 20_000): Promise<InstanceDetail> {
  const d = await e.engine.waitForEnd(id, timeoutMs);
  if (!d) throw new Error(`instance ${id} did not end within ${timeoutMs} ms`);
  return d;
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every instance a parent started as a subflow (in creation order). */
export async function childrenOf(e: TestEngine, parentId: string): Promise<InstanceDetail[]> {
  const r = await e.t.db.query<{ id: string }>(
    `SELECT id FROM instances WHERE invoked_by->>'kind' = 'subflow' AND invoked_by->>'parent' = $1 ORDER BY begin_time, id`,
    [parentId],
  );
  const out: InstanceDetail[] = [];
  for (const { id } of r.rows) out.push((await e.engine.getInstance(id))!);
  return out;
}

/** Every instance of a workflow, oldest first. */
export async function instancesOf(e: TestEngine, ns: string, wf: string): Promise<InstanceDetail[]> {
  const r = await e.t.db.query<{ id: string }>(
    `SELECT id FROM instances WHERE namespace = $1 AND workflow = $2 ORDER BY begin_time, id`,
    [ns, wf],
  );
  const out: InstanceDetail[] = [];
  for (const { id } of r.rows) out.push((await e.engine.getInstance(id))!);
  return out;
}

/** An instance's log lines with their levels and times. */
export async function logEntries(e: TestEngine, id: string): Promise<LogLine[]> {
  return (await logs.read(e.t.db, { instanceId: id }, { offset: 0, limit: 1000 })).items;
}

/** Waits until the instance has a child (or `n` children) and returns them. */
export function waitChildren(e: TestEngine, parentId: string, n = 1, timeoutMs = 10_000): Promise<InstanceDetail[]> {
  return waitUntil(
    async () => {
      const cs = await childrenOf(e, parentId);
      return cs.length >= n ? cs : undefined;
    },
    timeoutMs,
    `${n} children of ${parentId}`,
  );
}

/**
 * The most intervals open at once. Intervals are [begin, end): one that ends at the moment
 * another begins does not overlap it.
 */
export function maxOverlap(intervals: { beginTime: string; endTime: string | null }[]): number {
  const points: [number, number][] = [];
  for (const i of intervals) {
    points.push([Date.parse(i.beginTime), +1]);
    points.push([i.endTime ? Date.parse(i.endTime) : Infinity, -1]);
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

/** Workflow YAML helpers: children used across suites. */
export const wf = {
  /** completes with `{...input, done: <name>}` */
  echo: (id: string) => `id: ${id}
states:
- id: a
  type: noop
  transform: 'jq(. + {done: "${id}"})'
`,
  /** fails through an error state with code `code` */
  fail: (id: string, code = 'app.failed', message = 'the child failed') => `id: ${id}
states:
- id: a
  type: error
  error: ${code}
  message: '${message}'
`,
  /** sleeps `duration`, then completes with `{slept: true}` merged into its input */
  sleep: (id: string, duration: string) => `id: ${id}
states:
- id: a
  type: delay
  duration: ${duration}
  transform: 'jq(. + {slept: true})'
`,
};

/**
 * Runs `fn` with a replacement engine on the same database (the harness's engine is stopped
 * meanwhile and restarted after): to restart "a node", or to run with other dependencies.
 */
export async function withEngine<T>(
  e: TestEngine,
  overrides: Partial<EngineDeps>,
  fn: (engine: Engine) => Promise<T>,
): Promise<T> {
  await e.engine.stop();
  const other = new Engine({ ...e.engine.deps, ...overrides });
  await other.start();
  try {
    return await fn(other);
  } finally {
    await other.stop();
    await e.engine.start();
  }
}
