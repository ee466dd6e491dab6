/**
 * The action service inside the flow process: each request the engine dispatches runs as an
 * isolated call on the container engine, and its result goes straight back to the engine (no
 * HTTP hop). Cancelling removes the call's container; the engine drops the result that follows,
 * as it drops every stale one.
 */
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { ActionRequest, ActionService } from '../engine/index.js';
import { callIsolated } from './isolated.js';
import type { CallResult } from './isolated.js';

export interface ResultSink {
  reportActionResult(r: { instanceId: string; step: number; branch: number; actionId: string; result: CallResult }): Promise<void>;
}

export class LocalActionService implements ActionService {
  readonly available = true;
  /** calls in progress, so a shutdown can wait for their reports */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly docker: Dockerode,
    private readonly sink: () => ResultSink,
    private readonly logger: Logger,
    private readonly network?: string,
  ) {}

  dispatch(req: ActionRequest): Promise<void> {
    const call = this.run(req).finally(() => this.running.delete(call));
    this.running.add(call);
    return Promise.resolve();
  }

  async cancel(actionId: string): Promise<void> {
    const found = await this.docker.listContainers({ all: true, filters: { label: [`direktiv.action=${actionId}`] } });
    await Promise.all(found.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }

  /** Waits for the calls in progress to report. */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async run(req: ActionRequest): Promise<void> {
    const result: CallResult =
      req.files.length > 0
        ? { err: { code: 'direktiv.function.unavailable', msg: 'files: are not supported by this action service yet' } }
        : await this.call(req);
    if (req.async) return;
    try {
      await this.sink().reportActionResult({ instanceId: req.instanceId, step: req.step, branch: req.branch, actionId: req.actionId, result });
    } catch (err) {
      this.logger.error({ err, instance: req.instanceId, action: req.actionId }, 'reporting an action result failed');
    }
  }

  private call(req: ActionRequest): Promise<CallResult> {
    return callIsolated(this.docker, {
      actionId: req.actionId,
      image: req.fn.image,
      ...(req.fn.cmd ? { cmd: req.fn.cmd.split(/\s+/).filter(Boolean) } : {}),
      size: req.fn.size,
      input: req.input,
      deadline: req.deadline,
      ...(this.network ? { network: this.network } : {}),
    });
  }
}
