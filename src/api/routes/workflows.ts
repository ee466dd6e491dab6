import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import * as namespaces from '../../namespaces/index.js';
import * as workflows from '../../workflows/index.js';
import { ApiError, notFound } from '../errors.js';
import { listSchema, paged, pageQuerySchema } from '../pagination.js';
import type { PageQuery } from '../pagination.js';
import {
  errorResponses,
  nsParams,
  savedWorkflowSchema,
  wfParams,
  workflowInfoSchema,
  workflowSchema,
} from '../schemas.js';
import type { Deps } from '../types.js';

/** The content types a workflow's YAML may be sent with; none at all is taken as YAML too. */
export const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain'];

type WfParams = { ns: string; wf: string };

function yamlSource(request: FastifyRequest): string {
  const type = request.headers['content-type']?.split(';')[0]!.trim().toLowerCase();
  if (type && !YAML_TYPES.includes(type)) {
    throw new ApiError(415, `unsupported content type ${JSON.stringify(type)}: send the workflow as YAML (${YAML_TYPES.join(', ')})`);
  }
  return typeof request.body === 'string' ? request.body : '';
}

const rawYaml = { mediaTypes: YAML_TYPES, description: 'the workflow as YAML' };

const logToEventsProperty = {
  type: 'string',
  maxLength: 256,
  description: "the `logger` attribute of the direktiv.instanceLog events each line the workflow logs becomes; '' turns it off",
} as const;

/** POST and PUT of YAML: in their own scope, where any content type is read as text and checked. */
const yamlRoutes: FastifyPluginCallback<Deps> = (app, { db }, done) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, next) => next(null, body));

  app.post<{ Params: { ns: string }; Querystring: { active: boolean; logToEvents?: string } }>(
    '/api/namespaces/:ns/workflows',
    {
      schema: {
        summary: 'Create a workflow from YAML (its name is the YAML id)',
        tags: ['workflows'],
        params: nsParams,
        querystring: {
          type: 'object',
          properties: {
            active: { type: 'boolean', default: true, description: 'false creates it disabled' },
            logToEvents: logToEventsProperty,
          },
        },
        rawBody: rawYaml,
        response: { 201: savedWorkflowSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const source = yamlSource(request);
      const { active, logToEvents } = request.query;
      const saved = await db.tx((q) => workflows.create(q, request.params.ns, source, { active, logToEvents }));
      return reply.code(201).send({ ...saved.workflow, warnings: saved.warnings });
    },
  );

  app.put<{ Params: WfParams; Querystring: { revision?: number; logToEvents?: string } }>(
    '/api/namespaces/:ns/workflows/:wf',
    {
      schema: {
        summary: 'Replace the YAML of a workflow (a new revision)',
        description: 'With `revision`, the update fails with 409 unless it is the current revision.',
        tags: ['workflows'],
        params: wfParams,
        querystring: {
          type: 'object',
          properties: {
            revision: { type: 'integer', minimum: 1, description: 'the revision the change is based on' },
            logToEvents: { ...logToEventsProperty, description: `${logToEventsProperty.description}; absent keeps the setting` },
          },
        },
        rawBody: rawYaml,
        response: { 200: savedWorkflowSchema, ...errorResponses },
      },
    },
    async (request) => {
      const source = yamlSource(request);
      const { ns, wf } = request.params;
      const saved = await db.tx((q) =>
        workflows.update(q, ns, wf, source, { expectedRevision: request.query.revision, logToEvents: request.query.logToEvents }),
      );
      return { ...saved.workflow, warnings: saved.warnings };
    },
  );
  done();
};

export const workflowRoutes: FastifyPluginCallback<Deps> = (app, deps, done) => {
  const { db, engine } = deps;
  void app.register(yamlRoutes, deps);

  app.get<{ Params: { ns: string }; Querystring: PageQuery }>(
    '/api/namespaces/:ns/workflows',
    {
      schema: {
        summary: 'List the workflows of a namespace',
        tags: ['workflows'],
        params: nsParams,
        querystring: pageQuerySchema,
        response: { 200: listSchema(workflowInfoSchema), ...errorResponses },
      },
    },
    async (request) => {
      await namespaces.requireNamespace(db, request.params.ns);
      return paged(await workflows.list(db, request.params.ns, request.query), request.query);
    },
  );

  app.get<{ Params: WfParams }>(
    '/api/namespaces/:ns/workflows/:wf',
    {
      schema: {
        summary: 'One workflow with its YAML source',
        tags: ['workflows'],
        params: wfParams,
        response: { 200: workflowSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { ns, wf } = request.params;
      const found = await workflows.get(db, ns, wf);
      if (found) return found;
      await namespaces.requireNamespace(db, ns);
      throw new workflows.WorkflowNotFoundError(ns, wf);
    },
  );

  app.delete<{ Params: WfParams }>(
    '/api/namespaces/:ns/workflows/:wf',
    {
      schema: {
        summary: 'Delete a workflow, its crons and listeners, variables and instances',
        tags: ['workflows'],
        params: wfParams,
        response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { ns, wf } = request.params;
      if (!(await engine.deleteWorkflow(ns, wf))) {
        await namespaces.requireNamespace(db, ns);
        throw notFound(`workflow ${JSON.stringify(wf)} in namespace ${JSON.stringify(ns)}`);
      }
      return reply.code(204).send();
    },
  );

  app.put<{ Params: WfParams; Body: { active?: boolean; logToEvents?: string | null } }>(
    '/api/namespaces/:ns/workflows/:wf/toggle',
    {
      schema: {
        summary: 'Enable or disable a workflow, or change its logToEvents setting',
        tags: ['workflows'],
        params: wfParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: { active: { type: 'boolean' }, logToEvents: { ...logToEventsProperty, type: ['string', 'null'] } },
        },
        response: { 200: workflowInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { ns, wf } = request.params;
      return db.tx((q) => workflows.changeSettings(q, ns, wf, request.body));
    },
  );
  done();
};
