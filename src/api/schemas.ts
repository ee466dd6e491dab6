/** JSON schemas shared by several routes: they validate, serialise and document (OpenAPI). */
import { KEY_PATTERN, MAX_KEY_LENGTH } from '../variables/index.js';
import { NAME_PATTERN } from '../namespaces/index.js';

export const errorSchema = {
  type: 'object',
  description: 'an error',
  required: ['code', 'message', 'details'],
  properties: {
    code: { type: 'integer', description: 'the HTTP status' },
    message: { type: 'string' },
    details: { type: 'array', items: {} },
  },
} as const;

const name = (what: string) => ({ type: 'string', pattern: NAME_PATTERN.source, description: `${what} name` }) as const;

export const nsParams = {
  type: 'object',
  required: ['ns'],
  properties: { ns: name('namespace') },
} as const;

export const wfParams = {
  type: 'object',
  required: ['ns', 'wf'],
  properties: { ns: name('namespace'), wf: name('workflow') },
} as const;

export const instanceParams = {
  type: 'object',
  required: ['ns', 'wf', 'id'],
  properties: {
    ns: name('namespace'),
    wf: name('workflow'),
    id: { type: 'string', description: 'the last part of the instance id <ns>/<wf>/<id>' },
  },
} as const;

export const keyProperty = {
  type: 'string',
  pattern: KEY_PATTERN.source,
  maxLength: MAX_KEY_LENGTH,
  description: 'variable key',
} as const;

export const problemSchema = {
  type: 'object',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    message: { type: 'string' },
  },
} as const;

export const namespaceSchema = {
  type: 'object',
  required: ['name', 'createdAt'],
  properties: { name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
} as const;

const workflowInfoProperties = {
  id: { type: 'string', description: 'the workflow name' },
  uid: { type: 'string', format: 'uuid' },
  revision: { type: 'integer' },
  active: { type: 'boolean' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  description: { type: ['string', 'null'] },
  logToEvents: { type: ['string', 'null'], description: 'the logger of the events its log lines become, or null' },
} as const;

export const workflowInfoSchema = {
  type: 'object',
  required: ['id', 'uid', 'revision', 'active', 'createdAt', 'updatedAt', 'description', 'logToEvents'],
  properties: workflowInfoProperties,
} as const;

export const workflowSchema = {
  type: 'object',
  required: [...workflowInfoSchema.required, 'namespace', 'source'],
  properties: { ...workflowInfoProperties, namespace: { type: 'string' }, source: { type: 'string', description: 'YAML' } },
} as const;

export const savedWorkflowSchema = {
  type: 'object',
  required: [...workflowSchema.required, 'warnings'],
  properties: { ...workflowSchema.properties, warnings: { type: 'array', items: problemSchema } },
} as const;

const anyObject = { type: 'object', additionalProperties: true } as const;

const instanceSummaryProperties = {
  id: { type: 'string' },
  namespace: { type: 'string' },
  workflow: { type: 'string' },
  revision: { type: 'integer' },
  status: { type: 'string', enum: ['pending', 'complete', 'failed', 'crashed', 'cancelled'] },
  invokedBy: anyObject,
  beginTime: { type: 'string', format: 'date-time' },
  endTime: { type: ['string', 'null'], format: 'date-time' },
  errorCode: { type: ['string', 'null'] },
} as const;

export const instanceSummarySchema = {
  type: 'object',
  required: ['id', 'status', 'workflow', 'revision', 'invokedBy', 'beginTime', 'endTime', 'errorCode'],
  properties: instanceSummaryProperties,
} as const;

export const instanceDetailSchema = {
  type: 'object',
  required: [...instanceSummarySchema.required, 'flow', 'input', 'output', 'errorMessage'],
  properties: {
    ...instanceSummaryProperties,
    flow: { type: 'array', items: { type: 'string' } },
    input: {},
    output: {},
    errorMessage: { type: ['string', 'null'] },
  },
} as const;

export const instanceIdSchema = {
  type: 'object',
  required: ['instanceId'],
  properties: { instanceId: { type: 'string' } },
} as const;

export const logLineSchema = {
  type: 'object',
  required: ['t', 'level', 'msg'],
  properties: {
    t: { type: 'string', format: 'date-time' },
    level: { type: 'string' },
    msg: { type: 'string' },
  },
} as const;

export const variableInfoSchema = {
  type: 'object',
  required: ['name', 'size', 'mimeType', 'updatedAt'],
  properties: {
    name: { type: 'string' },
    size: { type: 'integer' },
    mimeType: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Error answers every route may give, for serialisation and the OpenAPI document. */
export const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;
