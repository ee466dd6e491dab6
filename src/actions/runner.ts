/**
 * The action service's core: takes a call, runs its function in a container (a fresh one for
 * `isolated`, a warm one from the pool for `reusable`) and reports the result to the flow side.
 * Used in-process (`-t wi`) and behind the action API (`-t i`) alike.
 *
 * Every call ends in exactly one report (none for a cancelled or `async` call): the output, the
 * function's error, or a catchable direktiv.* error. Calls are journalled until reported, so a
 * restarted service reports the ones it lost instead of leaving instances to their timeouts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { Callbacks } from './callbacks.js';
import { CreateError, TEMP_MOUNT, post, readOutput, removeContainer, sendCancel, startContainer, waitForPort } from './container.js';
import type { ContainerSpec, Started } from './container.js';
import { FilesError, clearCallDir, makeCallDir, outEntries, prepareFiles, storeOut } from './files.js';
import { Journal } from './journal.js';
import { Pool } from './pool.js';
import type { Warm } from './pool.js';
import { ImageError, Images, hostAddress } from './runtime.js';
import { abortAfter, callRef, messageOf, resultError } from './types.js';
import type { ActionRequest, CallRef, CallResult, FlowLink } from './types.js';
import type { ActionService } from '../engine/index.js';

export interface RunnerOptions {
  docker: Dockerode;
  link: FlowLink;
  logger: Logger;
  /** this service's own directory: node id, journal, the calls' temp directories */
  workDir: string;
  /** `NetworkMode` of function containers */
  network?: string;
  /** false: on the default network, containers reach only this host (the callbacks), not the outside */
  outbound?: boolean;
  maxScale?: number;
  idleMs?: number;
  /** how long a cancelled call may take to stop before it is dropped (function-protocol.md: 10 s) */
  graceMs?: number;
  /** the address function containers reach the callbacks at; default: this host's first non-loopback IPv4 */
  callbackHost?: string;
  bodyLimit?: number;
}

interface Running {
  req: ActionRequest;
  /** aborted when the call is dropped */
  drop: AbortController;
  cancelled: boolean;
  /** the container serving it, once there is one */
  target?: Started;
  /** what is left to do after the report (removing an isolated container) */
  cleanup: Array<() => Promise<void>>;
  done: Promise<void>;
}

const LABEL_NODE = 'direktiv.node';
const LABEL_ACTION = 'direktiv.action';
const LABEL_FUNCTION = 'direktiv.function';
const DEFAULT_NETWORK = 'slirp4netns';
/** A warm container's calls' directory, under its data directory (one call at a time). */
const CALL_DIR = 'call';
/** A warm container that does not listen within this long is given up (it serves many calls, so no one call's deadline bounds it). */
const START_TIMEOUT_MS = 60_000;

export class ActionRunner implements ActionService {
  readonly available = true;
  private readonly o: Required<Omit<RunnerOptions, 'callbackHost'>> & { callbackHost?: string };
  private readonly images: Images;
  private readonly pool: Pool;
  private readonly callbacks: Callbacks;
  private readonly journal: Journal;
  private readonly running = new Map<string, Running>();
  private nodeId = '';
  private network = '';
  /** DIREKTIV_API as the function containers reach it */
  private callbackUrl = '';
  private stopping = false;

  constructor(o: RunnerOptions) {
    this.o = { network: DEFAULT_NETWORK, outbound: true, maxScale: 4, idleMs: 5 * 60_000, graceMs: 10_000, bodyLimit: 32 * 1024 * 1024, ...o };
    this.images = new Images(o.docker, join(o.workDir, 'pulled-images.json'));
    this.journal = new Journal(join(o.workDir, 'journal'));
    // Function log lines pass through redact(): the call's request (with its secrets) is what the callbacks hold.
    this.callbacks = new Callbacks({ ...o.link, log: (call, level, text) => o.link.log(call, level, redact(call, text)) }, this.o.bodyLimit);
    this.pool = new Pool({
      maxScale: this.o.maxScale,
      idleMs: this.o.idleMs,
      remove: (w) => this.removeWarm(w),
    });
  }

  /**
   * Removes what a previous run of this service left (containers, temp directories), reports
   * the calls it lost, and starts the callbacks server.
   */
  async start(): Promise<void> {
    await mkdir(this.o.workDir, { recursive: true });
    this.nodeId = await this.loadNodeId();
    const orphans = await this.o.docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${this.nodeId}`] } });
    await Promise.all(orphans.map((c) => removeContainer(this.o.docker.getContainer(c.Id))));
    if (orphans.length > 0) this.o.logger.info(`actions: removed ${orphans.length} container(s) left by a previous run`);
    await rm(join(this.o.workDir, 'data'), { recursive: true, force: true });
    await mkdir(join(this.o.workDir, 'data'), { recursive: true });

    const host = this.o.callbackHost ?? hostAddress();
    this.network = this.o.network;
    if (!host && this.network === DEFAULT_NETWORK) {
      // No address outside the loopback: let containers reach the host's loopback instead.
      this.network = 'slirp4netns:allow_host_loopback=true';
      this.o.logger.warn('actions: this host has no non-loopback address; function containers can reach its loopback (10.0.2.2)');
    }
    if (!this.o.outbound && this.network.startsWith(DEFAULT_NETWORK)) {
      // slirp4netns opens the container's connections from the host's loopback address: they
      // reach this host's own addresses (the callbacks) and nothing beyond it.
      this.network += `${this.network.includes(':') ? ',' : ':'}outbound_addr=127.0.0.1`;
    }
    const url = await this.callbacks.listen(host ?? '127.0.0.1');
    this.callbackUrl = host ? url : url.replace('127.0.0.1', '10.0.2.2');

    for (const e of await this.journal.open()) {
      const result = e.result ?? resultError('direktiv.function.crash', 'the action service restarted while the function ran; the call was lost');
      this.o.logger.warn({ action: e.call.actionId, instance: e.call.instanceId }, 'actions: reporting a call left by a previous run');
      await this.journal.write({ ...e, result });
      void this.retryReport(e.call, new Date(e.deadline), result);
    }
  }

  /** The callbacks server's own address (functions get the one they reach it at, as DIREKTIV_API). */
  get callbacksUrl(): string {
    return this.callbacks.url;
  }

  /** Takes the call; the result is reported when it is known. A call already running is not taken twice. */
  dispatch(req: ActionRequest): Promise<void> {
    if (this.running.has(req.actionId)) return Promise.resolve();
    // Appended in order but not awaited: the call starts meanwhile (a page-cache write is no
    // more durable awaited; the result's own line follows it in the same file). async calls are
    // never reported, so there is nothing to recover.
    if (!req.async) this.journaled(this.journal.write({ call: callRef(req), deadline: req.deadline.toISOString() }));
    const r: Running = { req, drop: new AbortController(), cancelled: false, cleanup: [], done: Promise.resolve() };
    this.running.set(req.actionId, r);
    // The report goes first; the cleanup (a container removal takes 100+ ms) after it.
    r.done = this.run(r)
      .finally(() => Promise.all(r.cleanup.map((fn) => fn())))
      .finally(() => this.running.delete(req.actionId))
      .then(() => undefined);
    return Promise.resolve();
  }

  /**
   * Cancels a call: the function gets `DELETE /`, and if it has not ended after the grace period
   * the call is dropped (its container removed). No result is reported for it.
   */
  async cancel(actionId: string): Promise<void> {
    const r = this.running.get(actionId);
    if (!r || r.cancelled) return;
    r.cancelled = true;
    if (!r.target) {
      r.drop.abort();
      return;
    }
    await sendCancel(r.target, actionId);
    const timer = setTimeout(() => r.drop.abort(), this.o.graceMs).unref();
    await r.done;
    clearTimeout(timer);
  }

  /** A journal write not waited for: a failure is logged (a call then cannot be recovered after a crash). */
  private journaled(p: Promise<void>): void {
    p.catch((err: unknown) => this.o.logger.error({ err }, 'actions: writing the call journal failed'));
  }

  /** Why calls cannot run now (the container engine does not answer), or undefined when they can. */
  async problem(): Promise<string | undefined> {
    try {
      await this.o.docker.ping();
      return undefined;
    } catch (err) {
      return `the container engine does not answer: ${messageOf(err)}`;
    }
  }

  /** This service's id, on the labels of its containers (`direktiv.node`). */
  get node(): string {
    return this.nodeId;
  }

  /** Resolves when every call taken so far has ended, its cleanup included. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Calls in progress (for shutdown and tests). */
  get active(): number {
    return this.running.size;
  }

  /**
   * Stops: calls in progress get the grace period to end, the rest are dropped and reported as
   * lost (catchable); warm containers are removed, the callbacks server closes.
   */
  async stop(): Promise<void> {
    // Calls about to end may end; the rest are dropped after the grace period.
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, this.o.graceMs)))]);
    clearTimeout(timer);
    this.stopping = true;
    for (const r of this.running.values()) r.drop.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
    await this.pool.close();
    await this.callbacks.stop();
    await this.journal.close();
  }

  private async run(r: Running): Promise<void> {
    const { req } = r;
    let result: CallResult;
    try {
      result = await this.execute(r);
    } catch (e) {
      result = resultError('direktiv.function.crash', `the action service failed to run the call: ${messageOf(e)}`);
      this.o.logger.error({ err: e, action: req.actionId }, 'actions: a call failed');
    }
    if (r.cancelled || req.async) {
      this.journaled(this.journal.remove(req.actionId));
      return;
    }
    if (this.stopping && r.drop.signal.aborted) result = resultError('direktiv.function.crash', 'the action service stopped while the function ran');
    if ('err' in result) result = { err: { code: result.err.code, msg: redact(req, result.err.msg) } };
    try {
      await this.o.link.report(req, result);
      this.journaled(this.journal.remove(req.actionId));
    } catch (err) {
      this.o.logger.warn({ err, action: req.actionId, instance: req.instanceId }, 'actions: reporting a result failed; trying again');
      await this.journal.write({ call: callRef(req), deadline: req.deadline.toISOString(), result });
      void this.retryReport(req, req.deadline, result);
    }
  }

  /**
   * Reports a result that could not be reported at once: tries again while the flow side cannot
   * be reached (a flow node may be restarting), until a while after the call's deadline. The
   * journal holds the result meanwhile, for the next start if this process ends first.
   */
  private async retryReport(req: CallRef, deadline: Date, result: CallResult): Promise<void> {
    const until = deadline.getTime() + 5 * 60_000;
    for (let wait = 500; Date.now() + wait <= until; wait = Math.min(wait * 2, 10_000)) {
      await new Promise((res) => setTimeout(res, wait).unref());
      try {
        await this.o.link.report(req, result);
        await this.journal.remove(req.actionId);
        return;
      } catch (err) {
        this.o.logger.warn({ err, action: req.actionId, instance: req.instanceId }, 'actions: reporting a result failed; trying again');
      }
    }
    this.o.logger.error({ action: req.actionId, instance: req.instanceId }, 'actions: gave up reporting a result');
  }

  private async execute(r: Running): Promise<CallResult> {
    const { req } = r;
    try {
      return req.fn.type === 'reusable' ? await this.callPooled(r) : await this.callIsolated(r);
    } catch (e) {
      if (e instanceof ImageError || e instanceof CreateError) return resultError('direktiv.function.image', e.message);
      if (e instanceof FilesError) return resultError('direktiv.function.files', e.message);
      throw e;
    }
  }

  private async callIsolated(r: Running): Promise<CallResult> {
    const { req } = r;
    await this.images.ensure(req.fn.image, () => this.o.link.registryAuth(req, req.fn.image));
    const dataDir = join(this.o.workDir, 'data', req.actionId);
    const callDir = join(dataDir, req.actionId);
    r.cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    await makeCallDir(callDir);
    await prepareFiles(this.o.link, req, callDir);
    if (r.drop.signal.aborted) return cancelled();
    const started = await startContainer(this.o.docker, this.spec(req, dataDir, { [LABEL_ACTION]: req.actionId }));
    r.cleanup.unshift(() => removeContainer(started.container));
    r.target = started;
    const ready = await waitForPort(started, req.deadline, r.drop.signal);
    const result = ready === true ? await this.post(r, started, callDir, `${TEMP_MOUNT}/${req.actionId}`) : ready;
    await this.forwardOutput(req, started);
    return result;
  }

  private async callPooled(r: Running): Promise<CallResult> {
    const { req } = r;
    const key = poolKey(req);
    const wait = abortAfter(req.deadline.getTime() - Date.now(), r.drop.signal);
    const warm = await this.pool.acquire(key, wait.signal, () => this.startWarm(req, key)).finally(() => wait.release());
    if (!warm) {
      if (r.drop.signal.aborted) return cancelled();
      return resultError('direktiv.cancels.timeout', `no container of ${req.fn.image} became free before the call's deadline`);
    }
    r.target = warm;
    let healthy = false;
    try {
      await prepareFiles(this.o.link, req, warm.callDir);
      const result = await this.post(r, warm, warm.callDir, `${TEMP_MOUNT}/${CALL_DIR}`, true);
      // A call that ended by the function's own answer leaves the container usable.
      healthy = !('err' in result) || !UNHEALTHY.has(result.err.code);
      return result;
    } finally {
      this.pool.release(key, warm, healthy);
    }
  }

  /** The protocol call, and on success the variables the function left in `out/`. */
  /** `clear`: empty the call's directory afterwards (a warm container's, for its next call). */
  private async post(r: Running, target: Started, callDir: string, tempDir: string, clear = false): Promise<CallResult> {
    const { req } = r;
    this.callbacks.open(req);
    try {
      const result = await post(target, {
        actionId: req.actionId,
        deadline: req.deadline,
        input: req.input,
        tempDir,
        signal: r.drop.signal,
      });
      const out = 'out' in result || clear ? await outEntries(callDir) : [];
      if ('out' in result) await storeOut(this.o.link, req, out);
      if (clear) await clearCallDir(callDir, out);
      return result;
    } finally {
      this.callbacks.close(req.actionId);
    }
  }

  /** An isolated function's stdout and stderr go to the instance log. */
  private async forwardOutput(req: ActionRequest, s: Started): Promise<void> {
    try {
      const { stdout, stderr } = await readOutput(s.container);
      if (stdout.trim()) await this.o.link.log(req, 'info', redact(req, stdout.replace(/\n$/, '')));
      if (stderr.trim()) await this.o.link.log(req, 'error', redact(req, stderr.replace(/\n$/, '')));
    } catch (err) {
      this.o.logger.warn({ err, action: req.actionId }, "actions: reading a function's output failed");
    }
  }

  private async startWarm(req: ActionRequest, key: string): Promise<Warm> {
    await this.images.ensure(req.fn.image, () => this.o.link.registryAuth(req, req.fn.image));
    const dataDir = join(this.o.workDir, 'data', `pool-${randomBytes(6).toString('hex')}`);
    await mkdir(dataDir, { recursive: true, mode: 0o777 });
    let started: Started;
    try {
      started = await startContainer(this.o.docker, this.spec(req, dataDir, { [LABEL_FUNCTION]: createHash('sha1').update(key).digest('hex') }));
    } catch (e) {
      await rm(dataDir, { recursive: true, force: true });
      throw e;
    }
    const w: Warm = { ...started, dataDir, callDir: join(dataDir, CALL_DIR) };
    await makeCallDir(w.callDir);
    const ready = await waitForPort(w, new Date(Date.now() + START_TIMEOUT_MS));
    if (ready !== true) {
      await this.removeWarm(w);
      throw new CreateError(`${req.fn.image} did not start: ${'err' in ready ? ready.err.msg : 'unknown'}`);
    }
    return w;
  }

  private async removeWarm(w: Warm): Promise<void> {
    await removeContainer(w.container);
    await rm(w.dataDir, { recursive: true, force: true });
  }

  private spec(req: ActionRequest, dataDir: string, labels: Record<string, string>): ContainerSpec {
    return {
      image: req.fn.image,
      ...(req.fn.cmd ? { cmd: req.fn.cmd.split(/\s+/).filter(Boolean) } : {}),
      size: req.fn.size,
      env: { DIREKTIV_API: this.callbackUrl },
      labels: { [LABEL_NODE]: this.nodeId, ...labels },
      network: this.network,
      dataDir,
    };
  }

  private async loadNodeId(): Promise<string> {
    const file = join(this.o.workDir, 'node-id');
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      const id = randomBytes(8).toString('hex');
      await writeFile(file, id);
      return id;
    }
  }
}

/** The text with the call's secret values replaced (a function may log or echo its input). */
function redact(call: CallRef, text: string): string {
  for (const v of (call as Partial<ActionRequest>).redact ?? []) text = text.split(v).join('[redacted]');
  return text;
}

/** Errors after which a warm container may be in any state: it is replaced. */
const UNHEALTHY = new Set(['direktiv.function.crash', 'direktiv.cancels.timeout', 'direktiv.cancels.api', 'direktiv.function.network']);

const cancelled = () => resultError('direktiv.cancels.api', 'the call was cancelled');

/** Warm containers are shared per (namespace, image, cmd, size). */
function poolKey(req: Pick<ActionRequest, 'namespace' | 'fn'>): string {
  return JSON.stringify([req.namespace, req.fn.image, req.fn.cmd ?? '', req.fn.size]);
}
