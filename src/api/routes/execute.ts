/**
 * POST …/execute: starts an instance with the raw body as input (any content type; the engine
 * normalises it). With `wait=true` it answers once the instance has ended: 200 with the output
 * (or the `field` jq expression's result), 500 with Direktiv-ErrorCode/-ErrorMessage when the
 * instance did not complete, or 202 with the id when the wait runs out first.
 */
import type { FastifyPluginCallback } from 'fastify';
import { compile, JqError, toJson } from '../../jq/index.js';
import type { JqProgram, Value } from '../../jq/index.js';
import { parseTimeout } from '../duration.js';
import { ApiError } from '../errors.js';
import { errorResponses, instanceIdSchema, wfParams } from '../schemas.js';
import type { Deps } from '../types.js';

const JQ_LIMITS = { timeoutMs: 10_000 };
const MAX_HEADER_CHARS = 1000;

interface ExecuteQuery {
  wait: boolean;
  field?: string;
  timeout?: string;
}

/** A header value: printable ASCII kept, anything else percent-encoded, and cut at 1000 chars. */
export function headerValue(s: string): string {
  const safe = s.replace(/[^\x20-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD
    }
  });
  return safe.length > MAX_HEADER_CHARS ? safe.slice(0, MAX_HEADER_CHARS) : safe;
}

function compileField(field: string | undefined): JqProgram | undefined {
  if (field === undefined || field.trim() === '') return undefined;
  try {
    return compile(field);
  } catch (err) {
    if (err instanceof JqError) throw new ApiError(400, `field: ${err.message}`);
    throw err;
  }
}

/** The part of the output `field` selects: its one result, or an array of them when not one. */
function select(field: JqProgram, output: Value): Value {
  try {
    const results = field.run(output, { limits: JQ_LIMITS });
    return results.length === 1 ? results[0]! : results;
  } catch (err) {
    if (err instanceof JqError) throw new ApiError(400, `field: ${err.message}`);
    throw err;
  }
}

export const executeRoutes: FastifyPluginCallback<Deps> = (app, { engine, config }, done) => {
  // The body is passed on as bytes whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, next) => next(null, body));

  app.post<{ Params: { ns: string; wf: string }; Querystring: ExecuteQuery }>(
    '/api/namespaces/:ns/workflows/:wf/execute',
    {
      schema: {
        summary: 'Start an instance with the body as input',
        description:
          'Answers 202 with the instance id. With `wait=true` it waits until the instance ends (bounded by ' +
          '`timeout`, seconds or ISO-8601, at most the server maximum): 200 with the output as body, or 500 with ' +
          'headers Direktiv-ErrorCode and Direktiv-ErrorMessage; 202 with the id when the wait runs out. The ' +
          'instance id is always in header Direktiv-InstanceID.',
        tags: ['instances'],
        params: wfParams,
        querystring: {
          type: 'object',
          properties: {
            wait: { type: 'boolean', default: false },
            field: { type: 'string', description: 'a jq expression applied to the output (with wait)' },
            timeout: { type: 'string', description: 'how long to wait: seconds or an ISO-8601 duration' },
          },
        },
        rawBody: { mediaTypes: ['*/*'], description: 'the input: a JSON object, any JSON value, or bytes' },
        rawResponses: { 200: { mediaType: 'application/json', description: 'the output (with wait)' } },
        response: { 202: instanceIdSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { ns, wf } = request.params;
      const { wait } = request.query;
      const field = compileField(request.query.field);
      let waitMs = Math.min(config.defaultWaitMs, config.maxWaitMs);
      if (request.query.timeout !== undefined) {
        const ms = parseTimeout(request.query.timeout);
        if (ms === undefined) {
          throw new ApiError(400, `timeout ${JSON.stringify(request.query.timeout)} is neither seconds nor an ISO-8601 duration`);
        }
        waitMs = Math.min(ms, config.maxWaitMs);
      }
      const body = request.body as Buffer | undefined;
      const { instanceId } = await engine.execute({
        namespace: ns,
        workflow: wf,
        input: body && body.length > 0 ? body : undefined,
        invokedBy: { kind: 'api' },
      });
      reply.header('Direktiv-InstanceID', instanceId);
      if (!wait) return reply.code(202).send({ instanceId });

      const ended = await engine.waitForEnd(instanceId, waitMs);
      if (!ended) return reply.code(202).send({ instanceId });
      if (ended.status === 'complete') {
        const output = ended.output ?? null;
        const value = field ? select(field, output) : output;
        return reply.code(200).type('application/json; charset=utf-8').send(toJson(value));
      }
      const code = ended.errorCode ?? `direktiv.${ended.status}`;
      const message = ended.errorMessage ?? `the instance ${ended.status}`;
      throw new ApiError(
        500,
        `instance ${instanceId} ${ended.status}: ${code}: ${message}`,
        [{ instanceId, status: ended.status, errorCode: code, errorMessage: message }],
        { 'Direktiv-ErrorCode': headerValue(code), 'Direktiv-ErrorMessage': headerValue(message) },
      );
    },
  );
  done();
};
