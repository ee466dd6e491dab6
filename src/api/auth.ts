/**
 * The API key: when configured, every route but /api/healthz needs `Authorization: Bearer <key>`
 * or `Direktiv-Token: <key>`, compared in constant time (src/util/tokens.ts).
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { tokenChecker } from '../util/tokens.js';
import { ApiError } from './errors.js';

const PUBLIC_ROUTES = new Set(['/api/healthz']);

function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const token = request.headers['direktiv-token'];
  return typeof token === 'string' ? token.trim() : undefined;
}

/** An onRequest hook that refuses requests without the key (401). */
export function requireApiKey(apiKey: string) {
  const matches = tokenChecker(apiKey);
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return done();
    const token = presentedToken(request);
    if (token !== undefined && matches(token)) return done();
    done(new ApiError(
      401,
      token === undefined
        ? 'authentication required: send the API key as "Authorization: Bearer <key>" or "Direktiv-Token: <key>"'
        : 'the API key is not valid',
      [],
      { 'WWW-Authenticate': 'Bearer realm="direktiv"' },
    ));
  };
}
