/** The public HTTP API (Fastify): build the app, then listen. */
export { buildApp } from './app.js';
export { startServer } from './server.js';
export { ApiError, CATALOGUE } from './errors.js';
export type { ErrorBody } from './errors.js';
export type { ApiConfig, AppOptions, ComponentLetter, EventsApi, SecretsApi } from './types.js';
