/**
 * Every error answer is `{"code": <http status>, "message": "...", "details": [...]}`. The
 * catalogue maps the typed errors of the data modules and the engine to their HTTP status; any
 * other error is a 500 whose detail goes only to the server log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EngineRequestError } from '../engine/types.js';
import { InvalidNameError, NamespaceExistsError, NamespaceNotFoundError } from '../namespaces/index.js';
import { EventInvalidError, EventNotFoundError } from '../events/index.js';
import { InvalidSecretError, SecretsUnavailableError } from '../secrets/index.js';
import { InvalidKeyError, VariableTooLargeError } from '../variables/index.js';
import {
  RevisionConflictError,
  WorkflowExistsError,
  WorkflowInvalidError,
  WorkflowNotFoundError,
} from '../workflows/index.js';

export interface ErrorBody {
  code: number;
  message: string;
  details: unknown[];
}

/** An error raised by the API itself, with its status, details and extra headers. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The typed errors of other modules and the HTTP status of each. */
export const CATALOGUE: ReadonlyArray<readonly [ErrorClass, number]> = [
  [InvalidNameError, 400],
  [InvalidKeyError, 400],
  [WorkflowInvalidError, 400],
  [NamespaceNotFoundError, 404],
  [WorkflowNotFoundError, 404],
  [NamespaceExistsError, 409],
  [WorkflowExistsError, 409],
  [RevisionConflictError, 409],
  [VariableTooLargeError, 413],
  [SecretsUnavailableError, 503],
  [EventInvalidError, 400],
  [EventNotFoundError, 404],
];

/** Errors raised by Fastify itself, by code, with a clearer message. */
const FASTIFY_MESSAGES: Record<string, (err: FastifyError, bodyLimit: number) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (_e, limit) => `the request body is larger than the limit of ${limit} bytes`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => `unsupported content type: ${e.message.replace(/^Unsupported Media Type:?\s*/i, '')}`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'the body is empty, but its content type is JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => `the body is not valid JSON: ${e.message}`,
  FST_ERR_BAD_URL: () => 'the URL is not valid (bad percent-encoding)',
  FST_ERR_MAX_PARAM_LENGTH: () => 'a part of the URL path is too long',
};

/** The status, body and headers of the answer for any error. */
export function toErrorResponse(err: unknown, bodyLimit: number): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const answer = (status: number, message: string, details: unknown[] = [], headers: Record<string, string> = {}) => ({
    status,
    body: { code: status, message, details },
    headers,
  });
  if (err instanceof ApiError) return answer(err.status, err.message, err.details, err.headers);
  if (err instanceof WorkflowInvalidError) {
    return answer(400, err.message, err.problems.map((p) => ({ ...p })));
  }
  if (err instanceof RevisionConflictError) {
    return answer(409, err.message, [{ expectedRevision: err.expected, currentRevision: err.current }]);
  }
  if (err instanceof InvalidSecretError) return answer(err.status, err.message);
  for (const [cls, status] of CATALOGUE) if (err instanceof cls) return answer(status, err.message);
  if (err instanceof EngineRequestError) return answer(err.status, err.message);
  const fe = err as Partial<FastifyError> & Error;
  if (fe && Array.isArray(fe.validation)) {
    const details = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? ''}${v.instancePath}`,
      message: v.message ?? 'is not valid',
    }));
    return answer(400, `bad request: ${fe.message}`, details);
  }
  if (fe instanceof SyntaxError && fe.statusCode === 400) return answer(400, `the body is not valid JSON: ${fe.message}`);
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const better = fe.code ? FASTIFY_MESSAGES[fe.code] : undefined;
    return answer(fe.statusCode, better ? better(fe as FastifyError, bodyLimit) : fe.message);
  }
  return answer(500, 'internal server error');
}

/** The app's error handler: answers with the catalogue's status; logs 5xx with their detail. */
export function errorHandler(bodyLimit: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = toErrorResponse(err, bodyLimit);
    // 503: a dependency (the secrets service) is away, which is an operational state, not a bug.
    if (status === 503) request.log.warn(`request failed: ${body.message}`);
    else if (status >= 500 && !(err instanceof ApiError)) request.log.error({ err }, 'request failed');
    return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(body);
  };
}

/** Unknown routes: a JSON 404 like every other error. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0]!;
  return reply
    .code(404)
    .type('application/json; charset=utf-8')
    .send({ code: 404, message: `no route ${request.method} ${path}`, details: [] } satisfies ErrorBody);
}

export const notFound = (what: string) => new ApiError(404, `${what} does not exist`);
