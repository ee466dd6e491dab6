import type { FastifyInstance } from 'fastify';

/** Starts listening; resolves with the address (`http://127.0.0.1:6666`). */
export async function startServer(app: FastifyInstance, opts: { host: string; port: number }): Promise<string> {
  return app.listen({ host: opts.host, port: opts.port });
}
