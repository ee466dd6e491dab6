/**
 * A small in-memory stand-in for the engine, enough for the API's tests: instances live in a Map,
 * `finish` ends one (and, like the engine, sends `direktiv_ended`), `log` writes log lines with
 * the `direktiv_logs` notification. Workflows and namespaces are the real data modules.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/index.js';
import type { EngineApi, ExecuteRequest, InstanceFilter } from '../../src/engine/api.js';
import { EngineRequestError } from '../../src/engine/types.js';
import type { InstanceDetail, InstanceStatus } from '../../src/engine/types.js';
import type { Value } from '../../src/jq/index.js';
import * as logs from '../../src/logs/index.js';
import type { LogLevel } from '../../src/logs/index.js';
import * as workflows from '../../src/workflows/index.js';

export class FakeEngine implements EngineApi {
  readonly instances = new Map<string, InstanceDetail>();
  readonly executed: ExecuteRequest[] = [];
  readonly cancelled: { id: string; code?: string; message?: string }[] = [];
  /** Called after an instance starts, e.g. to finish it at once. */
  onStart?: (instance: InstanceDetail, req: ExecuteRequest) => void | Promise<void>;
  private readonly waiters = new Map<string, Set<(d: InstanceDetail) => void>>();
  private clock = Date.parse('2024-01-01T00:00:00Z');

  constructor(private readonly db: Db) {}

  async execute(req: ExecuteRequest): Promise<{ instanceId: string }> {
    const wf = await workflows.findByName(this.db, req.namespace, req.workflow);
    if (!wf) throw new EngineRequestError(404, `workflow ${req.workflow} does not exist`);
    if (!wf.active) throw new EngineRequestError(409, `workflow ${req.workflow} is disabled`);
    this.executed.push(req);
    const id = `${req.namespace}/${req.workflow}/${randomBytes(4).toString('hex')}`;
    const input: Value = Buffer.isBuffer(req.input) ? { input: req.input.toString('utf8') } : (req.input ?? {});
    const detail: InstanceDetail = {
      id,
      namespace: req.namespace,
      workflow: req.workflow,
      revision: wf.revision,
      status: 'pending',
      invokedBy: req.invokedBy,
      beginTime: new Date((this.clock += 1000)).toISOString(),
      endTime: null,
      errorCode: null,
      flow: [],
      input,
      output: null,
      errorMessage: null,
    };
    this.instances.set(id, detail);
    await this.onStart?.(detail, req);
    return { instanceId: id };
  }

  /** Ends an instance like the engine does: status, end time, and the `direktiv_ended` notify. */
  async finish(
    id: string,
    status: Exclude<InstanceStatus, 'pending'>,
    extra: { output?: Value; errorCode?: string; errorMessage?: string } = {},
  ): Promise<void> {
    const d = this.instances.get(id)!;
    Object.assign(d, {
      status,
      endTime: new Date((this.clock += 1000)).toISOString(),
      output: extra.output ?? null,
      errorCode: extra.errorCode ?? null,
      errorMessage: extra.errorMessage ?? null,
    });
    await this.db.tx(async (q) => {
      await q.query('SELECT pg_notify($1, $2)', [logs.ENDED_CHANNEL, id]);
    });
    for (const w of this.waiters.get(id) ?? []) w(d);
    this.waiters.delete(id);
  }

  /** Writes log lines of an instance in one transaction, with the notification. */
  async log(id: string, ...msgs: string[]): Promise<void> {
    const d = this.instances.get(id)!;
    await this.db.tx(async (q) => {
      await logs.append(
        q,
        msgs.map((msg) => ({ namespace: d.namespace, instanceId: id, level: 'info' as LogLevel, msg })),
      );
      await logs.notifyLines(q, id);
    });
  }

  waitForEnd(id: string, timeoutMs: number): Promise<InstanceDetail | null> {
    const d = this.instances.get(id);
    if (!d) return Promise.resolve(null);
    if (d.status !== 'pending') return Promise.resolve(d);
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const done = (x: InstanceDetail | null) => {
        clearTimeout(timer);
        set.delete(done);
        resolve(x);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      set.add(done);
    });
  }

  readonly watched = new Set<string>();

  watch(id: string): Promise<void> {
    this.watched.add(id);
    return Promise.resolve();
  }

  async cancel(id: string, code?: string, message?: string): Promise<boolean> {
    const d = this.instances.get(id);
    if (!d || d.status !== 'pending') return false;
    this.cancelled.push({ id, code, message });
    await this.finish(id, 'cancelled', { errorCode: code, errorMessage: message });
    return true;
  }

  getInstance(id: string): Promise<InstanceDetail | null> {
    return Promise.resolve(this.instances.get(id) ?? null);
  }

  listInstances(f: InstanceFilter) {
    const all = [...this.instances.values()]
      .filter((d) => d.namespace === f.namespace)
      .filter((d) => f.workflow === undefined || d.workflow === f.workflow)
      .filter((d) => f.status === undefined || d.status === f.status)
      .sort((a, b) => b.beginTime.localeCompare(a.beginTime));
    const items = all.slice(f.offset, f.offset + f.limit).map((d) => {
      const { flow: _f, input: _i, output: _o, errorMessage: _e, ...summary } = d;
      return summary;
    });
    return Promise.resolve({ items, total: all.length });
  }

  deleteWorkflow(namespace: string, workflow: string): Promise<boolean> {
    return this.db.tx((q) => workflows.remove(q, namespace, workflow));
  }

  async deleteNamespace(namespace: string): Promise<boolean> {
    const r = await this.db.query('DELETE FROM namespaces WHERE name = $1', [namespace]);
    return r.rowCount > 0;
  }
}
