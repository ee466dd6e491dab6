/** Hooks every route shares: name checks of path parameters and the request metrics. */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { apiRequestDuration, apiRequests } from '../metrics/index.js';
import { checkName } from '../namespaces/index.js';
import { checkKey } from '../variables/index.js';

/** A bad namespace, workflow or variable name in the path is a 400 that says what is allowed. */
export function checkPathNames(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const p = (request.params ?? {}) as Record<string, unknown>;
  try {
    if (typeof p.ns === 'string') checkName('namespace', p.ns);
    if (typeof p.wf === 'string') checkName('workflow', p.wf);
    if (typeof p.key === 'string') checkKey(p.key);
  } catch (err) {
    return done(err as Error);
  }
  done();
}

/** Counts every answer by route pattern (not by URL, which would make a series per name). */
export function recordMetrics(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched' };
  apiRequests.inc({ ...labels, status: String(reply.statusCode) });
  apiRequestDuration.observe(labels, reply.elapsedTime / 1000);
  done();
}
