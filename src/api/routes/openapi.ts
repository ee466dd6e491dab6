import type { FastifyPluginCallback } from 'fastify';
import type { OpenApiBuilder } from '../openapi.js';

export const openApiRoutes: FastifyPluginCallback<{ builder: OpenApiBuilder }> = (app, { builder }, done) => {
  app.get(
    '/api/openapi.json',
    {
      schema: {
        summary: 'This document: every route of the API (OpenAPI 3.1)',
        tags: ['meta'],
        rawResponses: { 200: { mediaType: 'application/json', description: 'the OpenAPI document' } },
      },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(builder.document())),
  );
  done();
};
