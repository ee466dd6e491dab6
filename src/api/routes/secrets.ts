/**
 * Secrets and registry credentials of a namespace. Values are write-only: a POST stores one, no
 * route returns one, and no log line or error message contains one.
 */
import type { FastifyPluginCallback } from 'fastify';
import * as namespaces from '../../namespaces/index.js';
import { MAX_VALUE_BYTES } from '../../secrets/index.js';
import type { SecretKind } from '../../secrets/index.js';
import { ApiError, notFound } from '../errors.js';
import { listSchema, paged, pageQuerySchema } from '../pagination.js';
import type { PageQuery } from '../pagination.js';
import { errorResponses, nsParams } from '../schemas.js';
import type { Deps, SecretsApi } from '../types.js';

const KINDS: ReadonlyArray<{ kind: SecretKind; path: string; what: string; data: string }> = [
  { kind: 'secret', path: 'secrets', what: 'secret', data: 'the value (UTF-8, at most 64 KiB)' },
  { kind: 'registry', path: 'registries', what: 'registry', data: '"user:token" for the registry' },
];

const nameItem = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;

/** A base64 body of 64 KiB plus JSON around it: bigger bodies are refused before they are read. */
const BODY_LIMIT = 4 * MAX_VALUE_BYTES;

export const secretRoutes: FastifyPluginCallback<Deps> = (app, deps, done) => {
  const secrets = (): SecretsApi => {
    if (!deps.secrets) throw new ApiError(503, 'secrets are not available: no secrets component is configured on this node');
    return deps.secrets;
  };

  // JSON.parse's message quotes the text it failed on, which here holds a value: say less.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, parsed) => {
    try {
      parsed(null, JSON.parse(body as string));
    } catch {
      parsed(new ApiError(400, 'the body is not valid JSON'), undefined);
    }
  });

  for (const { kind, path, what, data } of KINDS) {
    const base = `/api/namespaces/:ns/${path}`;
    const tags = [path];

    app.get<{ Params: { ns: string }; Querystring: PageQuery }>(
      base,
      {
        schema: {
          summary: `Names of the namespace's ${path} (never their values)`,
          tags,
          params: nsParams,
          querystring: pageQuerySchema,
          response: { 200: listSchema(nameItem), ...errorResponses },
        },
      },
      async (request) => {
        const s = secrets();
        await namespaces.requireNamespace(deps.db, request.params.ns);
        const { names, total } = await s.list(request.params.ns, kind, request.query);
        return paged({ items: names.map((name) => ({ name })), total }, request.query);
      },
    );

    app.post<{ Params: { ns: string }; Body: { name: string; data: string } }>(
      base,
      {
        bodyLimit: BODY_LIMIT,
        schema: {
          summary: `Create or replace a ${what}`,
          tags,
          params: nsParams,
          body: {
            type: 'object',
            required: ['name', 'data'],
            additionalProperties: false,
            properties: { name: { type: 'string', description: `${what} name` }, data: { type: 'string', description: data } },
          },
          response: { 200: nameItem, ...errorResponses },
        },
      },
      async (request) => {
        const s = secrets();
        await s.set(request.params.ns, kind, request.body.name, request.body.data);
        return { name: request.body.name };
      },
    );

    app.delete<{ Params: { ns: string; name: string } }>(
      `${base}/:name`,
      {
        schema: {
          summary: `Delete a ${what}`,
          tags,
          params: { ...nsParams, required: ['ns', 'name'], properties: { ...nsParams.properties, name: { type: 'string' } } },
          response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        const s = secrets();
        const { ns, name } = request.params;
        await namespaces.requireNamespace(deps.db, ns);
        if (!(await s.delete(ns, kind, name))) throw notFound(`${what} ${JSON.stringify(name)} in namespace ${JSON.stringify(ns)}`);
        return reply.code(204).send();
      },
    );
  }
  done();
};
