/**
 * Instance logs (paged JSON, or a live Server-Sent Events stream with `Accept: text/event-stream`)
 * and namespace logs. SSE: one `data:` event per line with the line's id as `id:` (a client that
 * reconnects with Last-Event-ID resumes after it), `: keep-alive` comments every 15 s, and a final
 * `event: end` carrying the instance's status once it has ended and its last lines were sent.
 */
import { PassThrough } from 'node:stream';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import * as logs from '../../logs/index.js';
import type { LogFollower, LogLine } from '../../logs/index.js';
import * as namespaces from '../../namespaces/index.js';
import { notFound } from '../errors.js';
import { listSchema, paged, pageQuerySchema } from '../pagination.js';
import type { PageQuery } from '../pagination.js';
import { errorResponses, instanceParams, logLineSchema, nsParams } from '../schemas.js';
import type { Deps } from '../types.js';
import { instanceId } from './instances.js';
import type { InstanceParams } from './instances.js';

const KEEP_ALIVE_MS = 15_000;

const wantsEventStream = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/event-stream');

const publicLine = (l: LogLine) => ({ t: l.t, level: l.level, msg: l.msg });

async function streamLogs(deps: Deps, active: Set<LogFollower>, id: string, request: FastifyRequest, reply: FastifyReply) {
  // Followed instances notify on every commit, on whichever node runs them.
  await deps.engine.watch(id);
  const out = new PassThrough();
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  const lastEventId = Number(request.headers['last-event-id']);
  const after = Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0;
  const finalStatus = async () => (await deps.engine.getInstance(id))?.status;
  const follower = logs.follow(
    deps.db,
    id,
    after,
    async (lines) => {
      for (const l of lines) await write(`id: ${l.id}\ndata: ${JSON.stringify(publicLine(l))}\n\n`);
    },
    async () => {
      const status = await finalStatus();
      return status === undefined || status !== 'pending';
    },
  );
  active.add(follower);
  const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  reply.raw.on('close', () => follower.stop());
  follower.done
    .then(async (reason) => {
      if (reason === 'ended') {
        const status = (await finalStatus()) ?? 'deleted';
        await write(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
      }
    })
    .catch((err: unknown) => {
      request.log.error({ err }, 'following the log failed');
      out.write(`event: error\ndata: ${JSON.stringify({ message: 'following the log failed' })}\n\n`);
    })
    .finally(() => {
      active.delete(follower);
      clearInterval(keepAlive);
      out.end();
    });
  return reply
    .code(200)
    .headers({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' })
    .send(out);
}

export const logRoutes: FastifyPluginCallback<Deps> = (app, deps, done) => {
  const { db, engine } = deps;
  // Live streams end (without `event: end`) when the server shuts down, so that close() is not
  // held up by clients following instances that run on.
  const active = new Set<LogFollower>();
  app.addHook('preClose', (done) => {
    for (const f of active) f.stop();
    done();
  });

  app.get<{ Params: InstanceParams; Querystring: PageQuery }>(
    '/api/instances/:ns/:wf/:id/logs',
    {
      schema: {
        summary: "An instance's log lines in order",
        description:
          'With `Accept: text/event-stream`, follows the log live: one `data:` event per line (JSON `{t, level, msg}`, ' +
          'its `id:` usable as Last-Event-ID), then `event: end` with the final status once the instance has ended.',
        tags: ['logs'],
        params: instanceParams,
        querystring: pageQuerySchema,
        rawResponses: { 200: { mediaType: 'text/event-stream', description: 'the live log' } },
        response: { 200: listSchema(logLineSchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = instanceId(request.params);
      if (!(await engine.getInstance(id))) throw notFound(`instance ${JSON.stringify(id)}`);
      if (wantsEventStream(request)) return streamLogs(deps, active, id, request, reply);
      const page = await logs.read(db, { instanceId: id }, request.query);
      return paged({ items: page.items.map(publicLine), total: page.total }, request.query);
    },
  );

  app.get<{ Params: { ns: string }; Querystring: PageQuery }>(
    '/api/namespaces/:ns/logs',
    {
      schema: {
        summary: "The namespace's own log lines in order",
        tags: ['logs'],
        params: nsParams,
        querystring: pageQuerySchema,
        response: { 200: listSchema(logLineSchema), ...errorResponses },
      },
    },
    async (request) => {
      await namespaces.requireNamespace(db, request.params.ns);
      const page = await logs.read(db, { namespace: request.params.ns }, request.query);
      return paged({ items: page.items.map(publicLine), total: page.total }, request.query);
    },
  );
  done();
};
