/**
 * CloudEvents in (one, or a batch), and the namespace's event history with replays. An event is
 * answered 202 once it is stored, matched and delivered; a malformed one is 400 with the reason.
 */
import type { FastifyPluginCallback } from 'fastify';
import { parseBatch, parseEvent } from '../../events/index.js';
import { ApiError } from '../errors.js';
import { listSchema, paged, pageProperties } from '../pagination.js';
import { errorResponses, nsParams } from '../schemas.js';
import type { Deps, EventsApi } from '../types.js';

const acceptedSchema = {
  type: 'object',
  required: ['accepted', 'duplicates', 'instances', 'woken'],
  properties: {
    accepted: { type: 'integer', description: 'events stored now' },
    duplicates: { type: 'integer', description: 'events stored before (same source and id), not delivered again' },
    instances: { type: 'array', items: { type: 'string' }, description: 'instances the events started' },
    woken: { type: 'array', items: { type: 'string' }, description: 'waiting instances the events woke' },
  },
} as const;

const deliverySchema = {
  type: 'object',
  required: ['instanceId', 'kind'],
  properties: { instanceId: { type: 'string' }, kind: { type: 'string', enum: ['started', 'woke'] } },
} as const;

const recordProperties = {
  seq: { type: 'integer', description: 'the history id of the event (replay takes it)' },
  id: { type: 'string' },
  source: { type: 'string' },
  type: { type: 'string' },
  time: { type: ['string', 'null'] },
  receivedAt: { type: 'string' },
  deliveries: { type: 'array', items: deliverySchema },
} as const;

const recordSchema = { type: 'object', required: Object.keys(recordProperties), properties: recordProperties } as const;
const detailSchema = {
  type: 'object',
  required: [...Object.keys(recordProperties), 'attributes', 'payload'],
  properties: { ...recordProperties, attributes: { type: 'object', additionalProperties: true }, payload: {} },
} as const;

const seqParams = {
  type: 'object',
  required: ['ns', 'seq'],
  properties: { ...nsParams.properties, seq: { type: 'integer', minimum: 1 } },
} as const;

export const eventRoutes: FastifyPluginCallback<Deps> = (app, deps, done) => {
  const events = (): EventsApi => {
    if (!deps.events) throw new ApiError(503, 'events are not available on this node');
    return deps.events;
  };
  // Binary-mode events carry any content type: every body arrives as bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));

  const accept = async (ns: string, evs: ReturnType<typeof parseBatch>) => {
    const r = await events().accept(ns, evs);
    return { accepted: r.accepted, duplicates: r.duplicates, instances: r.started, woken: r.woken };
  };

  app.post<{ Params: { ns: string }; Body: Buffer | undefined }>(
    '/api/namespaces/:ns/event',
    {
      schema: {
        summary: 'Accept one CloudEvent (structured JSON, or binary mode with ce-* headers)',
        tags: ['events'],
        params: nsParams,
        response: { 202: acceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      events();
      const ev = parseEvent(request.headers, request.body ?? Buffer.alloc(0));
      return reply.code(202).send(await accept(request.params.ns, [ev]));
    },
  );

  app.post<{ Params: { ns: string }; Body: Buffer | undefined }>(
    '/api/namespaces/:ns/events',
    {
      schema: {
        summary: 'Accept a batch of CloudEvents (application/cloudevents-batch+json)',
        tags: ['events'],
        params: nsParams,
        response: { 202: acceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      events();
      const evs = parseBatch(request.body ?? Buffer.alloc(0));
      return reply.code(202).send(await accept(request.params.ns, evs));
    },
  );

  app.get<{ Params: { ns: string }; Querystring: { offset: number; limit: number; type?: string } }>(
    '/api/namespaces/:ns/events',
    {
      schema: {
        summary: 'The events the namespace received, newest first, with the instances each started or woke',
        tags: ['events'],
        params: nsParams,
        querystring: { type: 'object', properties: { ...pageProperties, type: { type: 'string', description: 'only events of this type' } } },
        response: { 200: listSchema(recordSchema), ...errorResponses },
      },
    },
    async (request) => paged(await events().list(request.params.ns, request.query), request.query),
  );

  app.get<{ Params: { ns: string; seq: number } }>(
    '/api/namespaces/:ns/events/:seq',
    {
      schema: {
        summary: 'One received event with its attributes and data',
        tags: ['events'],
        params: seqParams,
        response: { 200: detailSchema, ...errorResponses },
      },
    },
    async (request) => events().get(request.params.ns, request.params.seq),
  );

  app.post<{ Params: { ns: string; seq: number } }>(
    '/api/namespaces/:ns/events/:seq/replay',
    {
      schema: {
        summary: 'Deliver a received event again, to the listeners there are now',
        tags: ['events'],
        params: seqParams,
        response: {
          202: {
            type: 'object',
            required: ['instances', 'woken'],
            properties: { instances: { type: 'array', items: { type: 'string' } }, woken: { type: 'array', items: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const d = await events().replay(request.params.ns, request.params.seq);
      return reply.code(202).send({ instances: d.started, woken: d.woken });
    },
  );
  done();
};
