import type { FastifyPluginCallback } from 'fastify';
import { metricsText } from '../../metrics/index.js';
import type { Deps } from '../types.js';

export const metricRoutes: FastifyPluginCallback<Deps> = (app, _deps, done) => {
  for (const url of ['/api/metrics', '/metrics']) {
    app.get(
      url,
      {
        schema: {
          summary: 'Prometheus metrics',
          tags: ['metrics'],
          rawResponses: { 200: { mediaType: 'text/plain; version=0.0.4', description: 'Prometheus text format' } },
        },
      },
      async (_request, reply) => {
        const { contentType, text } = await metricsText();
        return reply.type(contentType).send(text);
      },
    );
  }
  done();
};
