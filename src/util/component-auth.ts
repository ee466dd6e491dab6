/**
 * Authentication between components (flow, action service, secrets service): a verified client
 * certificate (mutual TLS from `[Certs]`) or a bearer token the components share. Tokens are
 * compared in constant time (tokens.ts).
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerTls } from './certs.js';
import { tokenChecker } from './tokens.js';

export interface ComponentAuth {
  /** the bearer token callers present; required unless `tls` verifies client certificates */
  token?: string | undefined;
  tls?: ServerTls | undefined;
  /** the service, in messages ("secrets service"); its first word names the WWW-Authenticate realm */
  name: string;
  /** routes served without authentication (health checks) */
  open?: string[];
}

export function isMutualTls(tls: ServerTls | undefined): boolean {
  return Boolean(tls?.ca && tls.requestCert && tls.rejectUnauthorized);
}

/** Refuses every request to `app` that is neither from a verified client certificate nor bears the token. */
export function requireComponentAuth(app: FastifyInstance, auth: ComponentAuth, refuse: (reply: FastifyReply, message: string) => unknown): void {
  const mutualTls = isMutualTls(auth.tls);
  if (!auth.token && !mutualTls) throw new Error(`the ${auth.name} needs a token or mutual TLS ([Certs] with a ca.pem)`);
  const matches = auth.token ? tokenChecker(auth.token) : () => false;
  const open = new Set(auth.open ?? []);
  // Without a valid certificate, mutual TLS already refused the connection in the handshake.
  app.addHook('onRequest', async (request, reply) => {
    if (open.has(request.routeOptions.url ?? '')) return;
    if (mutualTls && (request.raw.socket as TLSSocket).authorized) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (m && matches(m[1]!)) return;
    reply.code(401).header('WWW-Authenticate', `Bearer realm="direktiv-${auth.name.split(' ')[0]}"`);
    return refuse(reply, m ? 'the token is not valid' : 'authentication required: Authorization: Bearer <token>');
  });
}
