/**
 * The DIREKTIV_API a function calls back (function-protocol.md): logs and variables, each
 * request naming its call with `aid`. Only a call that is running here is served; its id is
 * the only credential, so ids are long and random and stop working when the call ends.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { VariableScope } from '../language/index.js';
import type { ActionRequest, FlowLink } from './types.js';
import { messageOf } from './types.js';

const SCOPES = new Set<string>(['instance', 'workflow', 'namespace']);

interface Query {
  aid?: string;
  scope?: string;
  key?: string;
}

export class Callbacks {
  private readonly calls = new Map<string, ActionRequest>();
  private readonly app: FastifyInstance;
  url = '';

  constructor(
    private readonly link: FlowLink,
    bodyLimit: number,
  ) {
    this.app = Fastify({ bodyLimit });
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    this.routes();
  }

  /** Serves on `host` (an address the function containers reach), any free port. */
  async listen(host: string): Promise<string> {
    const at = await this.app.listen({ host, port: 0 });
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${new URL(at).port}`;
    return this.url;
  }

  open(req: ActionRequest): void {
    this.calls.set(req.actionId, req);
  }

  close(actionId: string): void {
    this.calls.delete(actionId);
  }

  stop(): Promise<void> {
    return this.app.close();
  }

  private routes(): void {
    const call = (q: Query) => (q.aid ? this.calls.get(q.aid) : undefined);
    const refused = { error: 'no running action has this aid' };

    this.app.post<{ Querystring: Query; Body: Buffer | undefined }>('/log', async (req, reply) => {
      const c = call(req.query);
      if (!c) return reply.code(403).send(refused);
      const text = (req.body ?? Buffer.alloc(0)).toString('utf8').replace(/\n$/, '');
      if (text !== '') await this.link.log(c, 'info', text);
      return reply.code(200).send({});
    });

    const variable = (q: Query): { scope: VariableScope; key: string } | string => {
      if (!q.scope || !SCOPES.has(q.scope)) return 'scope must be instance, workflow or namespace';
      if (!q.key) return 'key is missing';
      return { scope: q.scope as VariableScope, key: q.key };
    };

    this.app.get<{ Querystring: Query }>('/var', async (req, reply) => {
      const c = call(req.query);
      if (!c) return reply.code(403).send(refused);
      const v = variable(req.query);
      if (typeof v === 'string') return reply.code(400).send({ error: v });
      const found = await this.link.getVariable(c, v.scope, v.key);
      if (!found) return reply.code(404).send({ error: `no ${v.scope} variable '${v.key}'` });
      return reply.code(200).header('content-type', found.mimeType).send(found.data);
    });

    this.app.post<{ Querystring: Query; Body: Buffer | undefined }>('/var', async (req, reply) => {
      const c = call(req.query);
      if (!c) return reply.code(403).send(refused);
      const v = variable(req.query);
      if (typeof v === 'string') return reply.code(400).send({ error: v });
      try {
        await this.link.setVariable(c, v.scope, v.key, {
          data: req.body ?? Buffer.alloc(0),
          mimeType: req.headers['content-type'] ?? 'application/octet-stream',
        });
      } catch (e) {
        return reply.code(400).send({ error: messageOf(e) });
      }
      return reply.code(200).send({});
    });
  }
}
