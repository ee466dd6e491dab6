/**
 * The action service as a separate component (`-t i`), and the two HTTP halves that connect it
 * to flow nodes:
 *
 * - the action API on `[isolateAPI] Bind` (served by `i`): `POST /v1/actions` takes a call and
 *   answers 202 at once, `DELETE /v1/actions/{id}` cancels one;
 * - the flow endpoint on `[flowAPI] Bind` (served by `w`): the results, log lines, variables and
 *   registry logins of the calls, for the action service.
 *
 * Both sides authenticate each other with mutual TLS from `[Certs]` or the shared token.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ActionService } from '../engine/index.js';
import type { VariableScope } from '../language/index.js';
import type { ServerTls } from '../util/certs.js';
import { requireComponentAuth } from '../util/component-auth.js';
import type { ComponentClient } from '../util/component-client.js';
import { callRef, messageOf } from './types.js';
import type { ActionRequest, CallRef, CallResult, FlowLink, RegistryAuth } from './types.js';

/** An ActionRequest as JSON carries it. */
type WireRequest = Omit<ActionRequest, 'deadline'> & { deadline: string };

const toWire = (req: ActionRequest): WireRequest => ({ ...req, deadline: req.deadline.toISOString() });
const fromWire = (w: WireRequest): ActionRequest => ({ ...w, deadline: new Date(w.deadline) });

export interface ServerOptions {
  token?: string | undefined;
  tls?: ServerTls | undefined;
  logger?: Logger;
  bodyLimit?: number;
}

/** `problem`: why the service cannot work now; its health check then answers 503 with it. */
function server(name: string, o: ServerOptions, problem?: () => Promise<string | undefined>): FastifyInstance {
  const app = Fastify({
    ...(o.tls ? { https: o.tls } : {}),
    bodyLimit: o.bodyLimit ?? 64 * 1024 * 1024,
    ...(o.logger ? { loggerInstance: o.logger.child({ component: name }, { level: 'warn' }) } : {}),
  }) as unknown as FastifyInstance;
  requireComponentAuth(app, { token: o.token, tls: o.tls, name, open: ['/v1/healthz'] }, (reply, message) => reply.send({ message }));
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  app.get('/v1/healthz', async (_req, reply) => {
    const why = await problem?.();
    return why ? reply.code(503).send({ ok: false, message: why }) : { ok: true };
  });
  return app;
}

const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ message });

/** The action API of `-t i`, in front of a runner. */
export function buildActionApi(runner: ActionService & { problem?: () => Promise<string | undefined> }, o: ServerOptions): FastifyInstance {
  const app = server('action service', o, runner.problem?.bind(runner));
  app.post<{ Body: WireRequest }>('/v1/actions', async (req, reply) => {
    const w = req.body;
    if (!w || typeof w.actionId !== 'string' || typeof w.deadline !== 'string' || !w.fn?.image) return bad(reply, 'not an action request');
    await runner.dispatch(fromWire(w));
    return reply.code(202).send({});
  });
  app.delete<{ Params: { id: string } }>('/v1/actions/:id', async (req, reply) => {
    // The grace period may take seconds; the caller does not wait for it.
    void runner.cancel(req.params.id);
    return reply.code(202).send({});
  });
  return app;
}

/** Where results go when a call cannot even be handed over. */
export interface ResultSink {
  reportActionResult(r: { instanceId: string; step: number; branch: number; actionId: string; result: CallResult }): Promise<void>;
}

/**
 * A flow node's action service when the service runs elsewhere: calls are posted to
 * `[isolateAPI] Endpoint`. A call the service does not take (unreachable, refused) ends at once
 * with the catchable direktiv.function.unavailable, so the workflow can retry or catch it.
 */
export class RemoteActionService implements ActionService {
  readonly available = true;

  constructor(
    private readonly client: ComponentClient,
    private readonly sink: () => ResultSink,
    private readonly logger: Logger,
  ) {}

  async dispatch(req: ActionRequest): Promise<void> {
    let problem: string | undefined;
    try {
      const a = await this.client.request('POST', '/v1/actions', toWire(req));
      if (a.status !== 202) problem = `it answered ${a.status}: ${a.body.toString('utf8').slice(0, 200)}`;
    } catch (e) {
      problem = `it cannot be reached: ${messageOf(e)}`;
    }
    if (!problem || req.async) return;
    const msg = `the action service at ${this.client.base.host} did not take the call: ${problem}`;
    this.logger.warn({ action: req.actionId, instance: req.instanceId }, msg);
    await this.sink().reportActionResult({ ...callRef(req), result: { err: { code: 'direktiv.function.unavailable', msg } } });
  }

  /** Why the action service cannot take calls now, or undefined when it can. */
  async problem(): Promise<string | undefined> {
    try {
      const a = await this.client.request('GET', '/v1/healthz');
      return a.status === 200 ? undefined : `the action service at ${this.client.base.host} answered ${a.status}`;
    } catch (e) {
      return `the action service at ${this.client.base.host} cannot be reached: ${messageOf(e)}`;
    }
  }

  async cancel(actionId: string): Promise<void> {
    try {
      await this.client.request('DELETE', `/v1/actions/${encodeURIComponent(actionId)}`);
    } catch (err) {
      this.logger.warn({ err, action: actionId }, 'cancelling a call at the action service failed');
    }
  }
}

interface VarQuery {
  scope: VariableScope;
  key: string;
  ref: string;
}

/** The flow endpoint: what an action service asks of the flow side, served over `link` (the in-process flow side). */
export function buildFlowEndpoint(link: FlowLink, o: ServerOptions): FastifyInstance {
  const app = server('flow endpoint', o);
  app.post<{ Body: { call: CallRef; result: CallResult } }>('/v1/actions/report', async (req, reply) => {
    await link.report(req.body.call, req.body.result);
    return reply.code(200).send({});
  });
  app.post<{ Body: { call: CallRef; level: 'info' | 'error'; text: string } }>('/v1/actions/log', async (req, reply) => {
    await link.log(req.body.call, req.body.level === 'error' ? 'error' : 'info', String(req.body.text));
    return reply.code(200).send({});
  });
  app.get<{ Querystring: VarQuery }>('/v1/actions/variable', async (req, reply) => {
    const v = await link.getVariable(JSON.parse(req.query.ref) as CallRef, req.query.scope, req.query.key);
    if (!v) return reply.code(404).send({ message: 'no such variable' });
    return reply.code(200).header('content-type', v.mimeType).send(v.data);
  });
  app.put<{ Querystring: VarQuery & { mimeType: string }; Body: Buffer }>('/v1/actions/variable', async (req, reply) => {
    try {
      await link.setVariable(JSON.parse(req.query.ref) as CallRef, req.query.scope, req.query.key, {
        data: req.body ?? Buffer.alloc(0),
        mimeType: req.query.mimeType,
      });
    } catch (e) {
      return bad(reply, messageOf(e));
    }
    return reply.code(200).send({});
  });
  app.post<{ Body: { call: CallRef; image: string } }>('/v1/actions/registry-auth', async (req) => ({
    auth: (await link.registryAuth(req.body.call, req.body.image)) ?? null,
  }));
  return app;
}

/** The flow side as `-t i` reaches it: the flow endpoint at `[flowAPI] Endpoint`. */
export function httpFlowLink(client: ComponentClient): FlowLink {
  const varPath = (call: CallRef, scope: VariableScope, key: string, extra: Record<string, string> = {}) =>
    `/v1/actions/variable?${new URLSearchParams({ ref: JSON.stringify(callRef(call)), scope, key, ...extra }).toString()}`;
  return {
    async report(call, result) {
      await client.json('POST', '/v1/actions/report', { call: callRef(call), result });
    },
    async log(call, level, text) {
      await client.json('POST', '/v1/actions/log', { call: callRef(call), level, text });
    },
    async getVariable(call, scope, key) {
      const a = await client.request('GET', varPath(call, scope, key));
      if (a.status === 404) return null;
      if (a.status !== 200) throw new Error(`the flow endpoint answered ${a.status} for variable '${key}'`);
      return { data: a.body, mimeType: a.type || 'application/octet-stream' };
    },
    async setVariable(call, scope, key, v) {
      const a = await client.request('PUT', varPath(call, scope, key, { mimeType: v.mimeType }), v.data);
      if (a.status !== 200) throw new Error(`the flow endpoint refused variable '${key}': ${a.body.toString('utf8').slice(0, 200)}`);
    },
    async registryAuth(call, image) {
      const a = await client.json<{ auth: RegistryAuth | null }>('POST', '/v1/actions/registry-auth', { call: callRef(call), image });
      return a.auth ?? undefined;
    },
  };
}
