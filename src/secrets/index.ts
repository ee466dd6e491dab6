/** Secrets: envelope encryption (crypto), namespace keys (keys), the service (store, service) and its client. */
export * from './crypto.js';
export { dataKeyFor, readDataKey, hasDataKey, rotateMasterKey } from './keys.js';
export type { RotationResult } from './keys.js';
export {
  InvalidSecretError,
  MAX_VALUE_BYTES,
  SECRETS_MIGRATIONS_DIR,
  loadSecretsMigrations,
  migrateSecretsDb,
} from './store.js';
export type { NameList, NamePage } from './store.js';
export { buildSecretsService } from './service.js';
export type { SecretsServiceOptions } from './service.js';
export { Secrets, SecretNotFoundError, SecretsUnavailableError, httpBackend, localBackend } from './client.js';
export type { HttpBackendOptions, SecretsBackend, SecretsOptions } from './client.js';
export { imageRegistry, parseLogin, registryHost } from './registries.js';
export type { RegistryLogin } from './registries.js';
