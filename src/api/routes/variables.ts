/**
 * Variables of the three scopes. Values stream both ways: a PUT body is read chunk by chunk into
 * the database (never whole in memory; over the limit → 413 and nothing stored), a GET reads the
 * value back one chunk at a time. PUT's Content-Type is the variable's MIME type.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import * as namespaces from '../../namespaces/index.js';
import * as variables from '../../variables/index.js';
import type { VariableScope } from '../../variables/index.js';
import * as workflows from '../../workflows/index.js';
import { notFound } from '../errors.js';
import { listSchema, paged, pageProperties } from '../pagination.js';
import type { PageQuery } from '../pagination.js';
import { errorResponses, instanceParams, keyProperty, nsParams, variableInfoSchema, wfParams } from '../schemas.js';
import type { Deps } from '../types.js';
import { instanceId } from './instances.js';

type Params = { ns: string; wf?: string; id?: string; key?: string };

interface ScopeRoutes {
  scope: VariableScope;
  prefix: string;
  params: { type: 'object'; required: readonly string[]; properties: Record<string, unknown> };
  writable: boolean;
  what: string;
  /** The owner of the scope's variables ('' | workflow uid | instance id); 404 when it does not exist. */
  owner(deps: Deps, p: Params): Promise<string>;
}

const SCOPES: ScopeRoutes[] = [
  {
    scope: 'namespace',
    prefix: '/api/namespaces/:ns',
    params: nsParams,
    writable: true,
    what: 'namespace',
    async owner({ db }, p) {
      await namespaces.requireNamespace(db, p.ns);
      return '';
    },
  },
  {
    scope: 'workflow',
    prefix: '/api/namespaces/:ns/workflows/:wf',
    params: wfParams,
    writable: true,
    what: 'workflow',
    async owner({ db }, p) {
      const wf = await workflows.findByName(db, p.ns, p.wf!);
      if (wf) return wf.uid;
      await namespaces.requireNamespace(db, p.ns);
      throw new workflows.WorkflowNotFoundError(p.ns, p.wf!);
    },
  },
  {
    scope: 'instance',
    prefix: '/api/instances/:ns/:wf/:id',
    params: instanceParams,
    writable: false,
    what: 'instance',
    async owner({ engine }, p) {
      const id = instanceId({ ns: p.ns, wf: p.wf!, id: p.id! });
      if (!(await engine.getInstance(id))) throw notFound(`instance ${JSON.stringify(id)}`);
      return id;
    },
  },
];

export const variableRoutes: FastifyPluginCallback<Deps> = (app, deps, done) => {
  const { db, config } = deps;
  // Bodies are handed to the handler as the raw request stream, whatever their type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, next) => next(null, payload));

  for (const s of SCOPES) {
    const keyParams = {
      ...s.params,
      required: [...s.params.required, 'key'],
      properties: { ...s.params.properties, key: keyProperty },
    };
    const ref = async (request: FastifyRequest<{ Params: Params }>) => {
      const p = request.params;
      return { namespace: p.ns, scope: s.scope, owner: await s.owner(deps, p), key: p.key! };
    };
    const missing = (key: string) => notFound(`${s.what} variable ${JSON.stringify(key)}`);

    app.get<{ Params: Params; Querystring: PageQuery }>(
      `${s.prefix}/variables`,
      {
        schema: {
          summary: `List ${s.what} variables`,
          tags: ['variables'],
          params: s.params,
          querystring: { type: 'object', properties: pageProperties },
          response: { 200: listSchema(variableInfoSchema), ...errorResponses },
        },
      },
      async (request) => {
        const owner = await s.owner(deps, request.params);
        return paged(await variables.list(db, request.params.ns, s.scope, owner, request.query), request.query);
      },
    );

    app.get<{ Params: Params }>(
      `${s.prefix}/variables/:key`,
      {
        schema: {
          summary: `Read a ${s.what} variable (streamed, with its MIME type as Content-Type)`,
          tags: ['variables'],
          params: keyParams,
          rawResponses: { 200: { mediaType: '*/*', description: 'the value' } },
          response: { ...errorResponses },
        },
      },
      async (request, reply) => {
        const value = await variables.readStream(db, await ref(request));
        if (!value) throw missing(request.params.key!);
        return reply
          .code(200)
          .headers({ 'Content-Type': value.mimeType, 'Content-Length': String(value.size), 'Last-Modified': new Date(value.updatedAt).toUTCString() })
          .send(value.stream);
      },
    );

    if (!s.writable) continue;

    app.put<{ Params: Params }>(
      `${s.prefix}/variables/:key`,
      {
        schema: {
          summary: `Create or replace a ${s.what} variable (the body, streamed; Content-Type is its MIME type)`,
          tags: ['variables'],
          params: keyParams,
          rawBody: { mediaTypes: ['*/*'], description: 'the value' },
          response: { 200: variableInfoSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const limit = config.maxVariableBytes ?? config.bodyLimit;
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
          reply.header('Connection', 'close');
          throw new variables.VariableTooLargeError(limit);
        }
        const target = await ref(request);
        const body = request.body as Readable | undefined;
        try {
          return await variables.writeStream(db, target, body, request.headers['content-type'] ?? '', { maxBytes: limit });
        } catch (err) {
          // The client may still be sending: discard the rest and close the connection after the
          // answer (as Fastify does for its own body limit), so it is neither stuck nor reset.
          if (body && !body.readableEnded) {
            reply.header('Connection', 'close');
            body.resume();
          }
          throw err;
        }
      },
    );

    app.delete<{ Params: Params }>(
      `${s.prefix}/variables/:key`,
      {
        schema: {
          summary: `Delete a ${s.what} variable`,
          tags: ['variables'],
          params: keyParams,
          response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!(await variables.deleteValue(db, await ref(request)))) throw missing(request.params.key!);
        return reply.code(204).send();
      },
    );
  }
  done();
};
