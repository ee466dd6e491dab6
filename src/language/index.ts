/**
 * The workflow language: YAML → validated, normalised model (`validateWorkflow`), the published
 * JSON Schema, and the evaluation of jq templates for the engine. Other modules import this file
 * only.
 */
export { validateWorkflow } from './validate.js';
export { evaluateTemplate, evaluateTemplateAll, evaluateObject, truthy } from './template.js';
export type { TemplateOptions } from './template.js';
export { matchesCode, matchesGlob } from './globs.js';
export { parseDuration } from './durations.js';
export { compileJsonSchema, JsonSchemaError } from './json-schemas.js';
export type { SchemaCheck } from './json-schemas.js';
export { workflowSchemaPath, loadWorkflowSchema } from './schema.js';
export { WorkflowError, Codes } from './errors.js';
export type * from './model.js';
