import type { FastifyPluginCallback } from 'fastify';
import type { InstanceStatus } from '../../engine/types.js';
import * as namespaces from '../../namespaces/index.js';
import * as workflows from '../../workflows/index.js';
import { ApiError, notFound } from '../errors.js';
import { listSchema, paged, pageProperties } from '../pagination.js';
import type { PageQuery } from '../pagination.js';
import { errorResponses, instanceDetailSchema, instanceParams, instanceSummarySchema, nsParams, wfParams } from '../schemas.js';
import type { Deps } from '../types.js';

const CANCEL_CODE = 'direktiv.cancels.api';

const statusFilter = {
  type: 'string',
  enum: ['pending', 'complete', 'failed', 'crashed', 'cancelled'],
  description: 'only instances with this status',
} as const;

export type InstanceParams = { ns: string; wf: string; id: string };

/** `<ns>/<wf>/<id>` from the route's parameters. */
export const instanceId = (p: InstanceParams) => `${p.ns}/${p.wf}/${p.id}`;

export const instanceRoutes: FastifyPluginCallback<Deps> = (app, { db, engine }, done) => {
  app.get<{ Params: { ns: string }; Querystring: PageQuery & { status?: InstanceStatus; workflow?: string } }>(
    '/api/namespaces/:ns/instances',
    {
      schema: {
        summary: 'Instances of a namespace, newest first',
        tags: ['instances'],
        params: nsParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageProperties,
            status: statusFilter,
            workflow: { type: 'string', description: 'only instances of this workflow' },
          },
        },
        response: { 200: listSchema(instanceSummarySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { ns } = request.params;
      const { offset, limit, status, workflow } = request.query;
      if (workflow !== undefined) {
        const problem = namespaces.nameProblem('workflow', workflow);
        if (problem) throw new ApiError(400, problem);
      }
      await namespaces.requireNamespace(db, ns);
      const result = await engine.listInstances({ namespace: ns, workflow, status, offset, limit });
      return paged(result, request.query);
    },
  );

  app.get<{ Params: { ns: string; wf: string }; Querystring: PageQuery & { status?: InstanceStatus } }>(
    '/api/namespaces/:ns/workflows/:wf/instances',
    {
      schema: {
        summary: 'Instances of one workflow, newest first',
        tags: ['instances'],
        params: wfParams,
        querystring: { type: 'object', properties: { ...pageProperties, status: statusFilter } },
        response: { 200: listSchema(instanceSummarySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { ns, wf } = request.params;
      const { offset, limit, status } = request.query;
      if (!(await workflows.findByName(db, ns, wf))) {
        await namespaces.requireNamespace(db, ns);
        throw new workflows.WorkflowNotFoundError(ns, wf);
      }
      const result = await engine.listInstances({ namespace: ns, workflow: wf, status, offset, limit });
      return paged(result, request.query);
    },
  );

  app.get<{ Params: InstanceParams }>(
    '/api/instances/:ns/:wf/:id',
    {
      schema: {
        summary: 'One instance',
        tags: ['instances'],
        params: instanceParams,
        response: { 200: instanceDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const id = instanceId(request.params);
      const found = await engine.getInstance(id);
      if (!found) throw notFound(`instance ${JSON.stringify(id)}`);
      return found;
    },
  );

  app.delete<{ Params: InstanceParams }>(
    '/api/instances/:ns/:wf/:id',
    {
      schema: {
        summary: `Cancel a pending instance (${CANCEL_CODE})`,
        tags: ['instances'],
        params: instanceParams,
        response: { 204: { type: 'null', description: 'cancelled' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = instanceId(request.params);
      if (await engine.cancel(id, CANCEL_CODE, 'cancelled through the API')) return reply.code(204).send();
      const found = await engine.getInstance(id);
      if (!found) throw notFound(`instance ${JSON.stringify(id)}`);
      throw new ApiError(409, `instance ${JSON.stringify(id)} is not pending (it is ${found.status})`);
    },
  );
  done();
};
