/**
 * The HTTP API as a Fastify instance, without listening (server.ts listens; tests use inject).
 * Routes live in routes/<resource>.ts, each a plugin given the database, the engine and the config.
 */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireApiKey } from './auth.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { checkPathNames, recordMetrics } from './hooks.js';
import { OpenApiBuilder } from './openapi.js';
import { eventRoutes } from './routes/events.js';
import { executeRoutes } from './routes/execute.js';
import { healthRoutes } from './routes/health.js';
import { instanceRoutes } from './routes/instances.js';
import { jqRoutes } from './routes/jq.js';
import { logRoutes } from './routes/logs.js';
import { metricRoutes } from './routes/metrics.js';
import { namespaceRoutes } from './routes/namespaces.js';
import { openApiRoutes } from './routes/openapi.js';
import { secretRoutes } from './routes/secrets.js';
import { variableRoutes } from './routes/variables.js';
import { workflowRoutes } from './routes/workflows.js';
import type { AppOptions, Deps } from './types.js';

/** Request logs name the method, URL and caller: never a body, never a header (Authorization). */
const serializers = {
  req: (request: FastifyRequest) => ({ method: request.method, url: request.url, remoteAddress: request.ip }),
  res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
};

function requestLogger(logger: FastifyBaseLogger | undefined): FastifyBaseLogger | undefined {
  return logger?.child({ component: 'api' }, { serializers });
}

const MAX_PARAM_LENGTH = 512;

export function buildApp(opts: AppOptions): FastifyInstance {
  const { db, engine, config } = opts;
  const deps: Deps = {
    db,
    engine,
    config,
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
    ...(opts.events ? { events: opts.events } : {}),
    ...(opts.actionsProblem ? { actionsProblem: opts.actionsProblem } : {}),
  };
  const onError = errorHandler(config.bodyLimit);
  const app = Fastify({
    bodyLimit: config.bodyLimit,
    // Long enough for any valid name or key, so that a too-long one gets a 400 that says why.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Malformed URLs and over-long parameters are answered by the router: in our error format too.
    frameworkErrors: (err, request, reply) => {
      void onError(err, request, reply);
    },
    loggerInstance: requestLogger(opts.logger),
    // Lets a client see a 503 rather than a reset while the server shuts down.
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  const openapi = new OpenApiBuilder(Boolean(config.apiKey));
  app.addHook('onRoute', (route) => openapi.add(route));
  if (config.apiKey) app.addHook('onRequest', requireApiKey(config.apiKey));
  app.addHook('onRequest', checkPathNames);
  app.addHook('onResponse', recordMetrics);
  app.setErrorHandler(onError);
  app.setNotFoundHandler(notFoundHandler);

  void app.register(healthRoutes, deps);
  void app.register(namespaceRoutes, deps);
  void app.register(workflowRoutes, deps);
  void app.register(executeRoutes, deps);
  void app.register(instanceRoutes, deps);
  void app.register(logRoutes, deps);
  void app.register(variableRoutes, deps);
  void app.register(secretRoutes, deps);
  void app.register(eventRoutes, deps);
  void app.register(jqRoutes, deps);
  void app.register(metricRoutes, deps);
  void app.register(openApiRoutes, { builder: openapi });
  return app;
}
