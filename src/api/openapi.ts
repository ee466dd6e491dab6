/**
 * The OpenAPI 3.1 document, built from the routes as they are registered: each route's JSON
 * schemas (params, querystring, body, response) plus a few documentation-only keys declared
 * below. A route cannot be served without appearing in the document.
 */
import type { RouteOptions } from 'fastify';
import { errorSchema } from './schemas.js';

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    /** A body that is not JSON (documentation only: Fastify does not validate it). */
    rawBody?: { mediaTypes: string[]; description: string };
    /** Answers whose body is not JSON: status → media type and description. */
    rawResponses?: Record<string, { mediaType: string; description: string }>;
    /** Hides the route from the document (HEAD twins of GET routes). */
    hide?: boolean;
  }
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  operationId: string;
  parameters: object[];
  requestBody?: object;
  responses: Record<string, object>;
  security?: object[];
}

type JsonSchema = { properties?: Record<string, { description?: string } & object>; required?: readonly string[] };

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
  '4xx': 'Client error',
  '5xx': 'Server error',
};

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** `/api/namespaces/:ns` → `/api/namespaces/{ns}` */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(where: 'path' | 'query', schema: unknown): object[] {
  const s = schema as JsonSchema | undefined;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

export class OpenApiBuilder {
  private readonly ops = new Map<string, Map<string, Operation>>();
  private cached?: object;

  constructor(private readonly secured: boolean) {}

  /** Use as the app's onRoute hook. */
  add(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schema = route.schema ?? {};
    if (schema.hide) return;
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const path = openApiPath(route.url);
      const op: Operation = {
        operationId: `${method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
        ...(schema.summary ? { summary: schema.summary } : {}),
        ...(schema.description ? { description: schema.description } : {}),
        ...(schema.tags ? { tags: schema.tags } : {}),
        parameters: [...parameters('path', schema.params), ...parameters('query', schema.querystring)],
        responses: {},
      };
      if (schema.body) {
        op.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
      } else if (schema.rawBody) {
        op.requestBody = {
          description: schema.rawBody.description,
          content: Object.fromEntries(schema.rawBody.mediaTypes.map((t) => [t, { schema: {} }])),
        };
      }
      const responses = (schema.response ?? {}) as Record<string, object>;
      for (const [status, body] of Object.entries(responses)) {
        const description = (body as { description?: string }).description ?? STATUS_TEXT[status] ?? status;
        const content = body === errorSchema ? ERROR_REF : body;
        op.responses[status.toUpperCase()] =
          status === '204' ? { description } : { description, content: { 'application/json': { schema: content } } };
      }
      for (const [status, raw] of Object.entries(schema.rawResponses ?? {})) {
        const existing = op.responses[status] as { description: string; content: Record<string, object> } | undefined;
        if (existing) {
          existing.description = `${existing.description}; ${raw.mediaType}: ${raw.description}`;
          existing.content[raw.mediaType] = { schema: {} };
        } else {
          op.responses[status] = { description: raw.description, content: { [raw.mediaType]: { schema: {} } } };
        }
      }
      op.responses['4XX'] ??= { description: 'Client error', content: { 'application/json': { schema: ERROR_REF } } };
      if (this.secured && route.url === '/api/healthz') op.security = [];
      if (!this.ops.has(path)) this.ops.set(path, new Map());
      this.ops.get(path)!.set(method.toLowerCase(), op);
    }
    this.cached = undefined;
  }

  /** Every documented route as `METHOD /path` (tests compare it with what is served). */
  routes(): string[] {
    return [...this.ops].flatMap(([path, m]) => [...m.keys()].map((method) => `${method.toUpperCase()} ${path}`));
  }

  document(): object {
    this.cached ??= {
      openapi: '3.1.0',
      info: {
        title: 'Direktiv API',
        version: '1',
        description: 'The public API of direktiv-ts: namespaces, workflows, instances, logs, variables, jq.',
      },
      paths: Object.fromEntries(
        [...this.ops].sort(([a], [b]) => a.localeCompare(b)).map(([path, m]) => [path, Object.fromEntries(m)]),
      ),
      components: {
        schemas: { Error: errorSchema },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          token: { type: 'apiKey', in: 'header', name: 'Direktiv-Token' },
        },
      },
      ...(this.secured ? { security: [{ bearer: [] }, { token: [] }] } : {}),
    };
    return this.cached;
  }
}
