import type { FastifyPluginCallback } from 'fastify';
import * as namespaces from '../../namespaces/index.js';
import { notFound } from '../errors.js';
import { listSchema, paged, pageQuerySchema } from '../pagination.js';
import type { PageQuery } from '../pagination.js';
import { errorResponses, namespaceSchema, nsParams } from '../schemas.js';
import type { Deps } from '../types.js';

export const namespaceRoutes: FastifyPluginCallback<Deps> = (app, { db, engine, secrets }, done) => {
  app.get<{ Querystring: PageQuery }>(
    '/api/namespaces',
    {
      schema: {
        summary: 'List namespaces',
        tags: ['namespaces'],
        querystring: pageQuerySchema,
        response: { 200: listSchema(namespaceSchema), ...errorResponses },
      },
    },
    async (request) => paged(await namespaces.list(db, request.query), request.query),
  );

  app.put<{ Params: { ns: string } }>(
    '/api/namespaces/:ns',
    {
      schema: {
        summary: 'Create a namespace (409 if it exists)',
        tags: ['namespaces'],
        params: nsParams,
        response: { 201: namespaceSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await namespaces.create(db, request.params.ns)),
  );

  app.delete<{ Params: { ns: string } }>(
    '/api/namespaces/:ns',
    {
      schema: {
        summary: 'Delete a namespace with everything in it',
        tags: ['namespaces'],
        params: nsParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      // Secrets first: if the secrets service cannot be reached, the request fails (503) with
      // the namespace and everything in it still there.
      await secrets?.deleteNamespace(request.params.ns);
      if (!(await engine.deleteNamespace(request.params.ns))) throw notFound(`namespace ${JSON.stringify(request.params.ns)}`);
      return reply.code(204).send();
    },
  );
  done();
};
