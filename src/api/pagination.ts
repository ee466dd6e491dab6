/** `offset` and `limit` of every list (default 50, at most 1000), and the list answer's shape. */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

export interface PageQuery {
  offset: number;
  limit: number;
}

/** Querystring properties of a list route; Ajv fills the defaults and refuses bad values (400). */
export const pageProperties = {
  offset: { type: 'integer', minimum: 0, default: 0, description: 'lines to skip' },
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `at most ${MAX_LIMIT}` },
} as const;

export const pageQuerySchema = { type: 'object', properties: pageProperties } as const;

/** The response schema of a list of `item`. */
export function listSchema(item: object) {
  return {
    type: 'object',
    required: ['items', 'total', 'offset', 'limit'],
    properties: {
      items: { type: 'array', items: item },
      total: { type: 'integer' },
      offset: { type: 'integer' },
      limit: { type: 'integer' },
    },
  } as const;
}

export function paged<T>(result: { items: T[]; total: number }, page: PageQuery) {
  return { items: result.items, total: result.total, offset: page.offset, limit: page.limit };
}
