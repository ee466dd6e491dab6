/**
 * The secrets service (`-t s`): a small JSON API over its own database, called only by flow
 * nodes: authenticated by their client certificate (mutual TLS) or by a shared bearer token.
 * It stores and returns ciphertexts; it never sees a plaintext or a key. Errors are
 * `{code, message}` with code = the HTTP status.
 */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import type { ServerTls } from '../util/certs.js';
import { requireComponentAuth } from '../util/component-auth.js';
import * as store from './store.js';

export interface SecretsServiceOptions {
  db: Db;
  /** the bearer token callers present; required unless `tls` verifies client certificates */
  token?: string;
  /** HTTPS; with `ca` and `requestCert`, only clients with a certificate signed by it get in */
  tls?: ServerTls;
  logger?: FastifyBaseLogger;
}

/** Names per fetch call: keeps an answer under a few MiB. */
export const MAX_FETCH_NAMES = 100;

const b64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface Params {
  ns: string;
  kind: string;
  name: string;
}

function sendError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ code: status, message });
}

export function buildSecretsService(opts: SecretsServiceOptions): FastifyInstance {
  const { db } = opts;
  const app = Fastify({
    ...(opts.tls ? { https: opts.tls } : {}),
    // A ciphertext in base64 is 4/3 of 64 KiB; a fetch body is at most 100 names.
    bodyLimit: 256 * 1024,
    // Longer than any valid name (a registry host is up to 259), so a too-long one gets a 400.
    routerOptions: { maxParamLength: 512 },
    loggerInstance: opts.logger?.child(
      { component: 'secrets' },
      // Never log bodies or headers (the token).
      { serializers: { req: (r: FastifyRequest) => ({ method: r.method, url: r.url }), res: (r: FastifyReply) => ({ statusCode: r.statusCode }) } },
    ),
  }) as unknown as FastifyInstance;

  requireComponentAuth(app, { token: opts.token, tls: opts.tls, name: 'secrets service', open: ['/v1/healthz'] }, (reply, message) =>
    sendError(reply, 401, message),
  );

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof store.InvalidSecretError) return sendError(reply, err.status, err.message);
    if (typeof err.statusCode === 'number' && err.statusCode < 500) return sendError(reply, err.statusCode, err.message);
    request.log.error({ err }, 'secrets service error');
    return sendError(reply, 500, 'internal error');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`));

  app.get('/v1/healthz', async () => {
    await db.query('SELECT 1');
    return { status: 'ok' };
  });

  app.put<{ Params: Params; Body: { ciphertext?: unknown } }>('/v1/namespaces/:ns/:kind/:name', async (request, reply) => {
    const { ns, kind, name } = request.params;
    store.checkKind(kind);
    const text = request.body?.ciphertext;
    if (typeof text !== 'string' || !b64.test(text)) throw new store.InvalidSecretError('body: {"ciphertext": <base64>} expected');
    await store.put(db, ns, kind, name, Buffer.from(text, 'base64'));
    return reply.code(204).send();
  });

  app.get<{ Params: Params; Querystring: { offset?: string; limit?: string } }>('/v1/namespaces/:ns/:kind', async (request) => {
    const { ns, kind } = request.params;
    store.checkKind(kind);
    store.checkNamespace(ns);
    const offset = Number(request.query.offset ?? 0);
    const limit = Number(request.query.limit ?? 50);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > store.MAX_PAGE) {
      throw new store.InvalidSecretError(`offset must be an integer ≥ 0 and limit one from 1 to ${store.MAX_PAGE}`);
    }
    return store.listNames(db, ns, kind, { offset, limit });
  });

  app.post<{ Params: Params; Body: { names?: unknown } }>('/v1/namespaces/:ns/:kind/fetch', async (request) => {
    const { ns, kind } = request.params;
    store.checkKind(kind);
    store.checkNamespace(ns);
    const names = request.body?.names;
    if (!Array.isArray(names) || names.length > MAX_FETCH_NAMES || !names.every((n) => typeof n === 'string')) {
      throw new store.InvalidSecretError(`body: {"names": [<name>…]} expected, at most ${MAX_FETCH_NAMES} names`);
    }
    const found = await store.fetchCiphertexts(db, ns, kind, names as string[]);
    const items: Record<string, string> = {};
    for (const [n, c] of found) items[n] = c.toString('base64');
    return { items };
  });

  app.delete<{ Params: Params }>('/v1/namespaces/:ns/:kind/:name', async (request) => {
    const { ns, kind, name } = request.params;
    store.checkKind(kind);
    return { deleted: await store.deleteOne(db, ns, kind, name) };
  });

  app.delete<{ Params: Params }>('/v1/namespaces/:ns', async (request) => {
    store.checkNamespace(request.params.ns);
    return { deleted: await store.deleteNamespace(db, request.params.ns) };
  });

  return app;
}
