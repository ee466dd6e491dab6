/** POST /api/jq: evaluates jq exactly as the engine does (same engine, same 10 s limit). */
import type { FastifyPluginCallback } from 'fastify';
import { compile, JqError, toJson } from '../../jq/index.js';
import type { Value } from '../../jq/index.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';
import type { Deps } from '../types.js';

const LIMITS = { timeoutMs: 10_000 };

export const jqRoutes: FastifyPluginCallback<Deps> = (app, _deps, done) => {
  app.post<{ Body: { query: string; data?: Value } }>(
    '/api/jq',
    {
      schema: {
        summary: 'Evaluate a jq expression',
        tags: ['jq'],
        body: {
          type: 'object',
          required: ['query'],
          properties: { query: { type: 'string' }, data: { description: 'the input (null when absent)' } },
        },
        response: {
          200: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: {} } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      let results: Value[];
      try {
        results = compile(request.body.query).run(request.body.data ?? null, { limits: LIMITS });
      } catch (err) {
        if (err instanceof JqError) throw new ApiError(400, err.message);
        throw err;
      }
      // jq's own output format (nan as null, infinities as the largest doubles), not JSON.stringify.
      return reply.type('application/json; charset=utf-8').send(`{"results":[${results.map(toJson).join(',')}]}`);
    },
  );
  done();
};
