import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { ActionService, EventBus, SecretsProvider, VariableStore, WorkflowCatalog } from './ports.js';
import type { EngineSettings } from './settings.js';

/** Everything the engine is built from; passed explicitly, never global. */
export interface EngineDeps {
  db: Db;
  settings: EngineSettings;
  workflows: WorkflowCatalog;
  variables: VariableStore;
  actions: ActionService;
  secrets: SecretsProvider;
  events: EventBus;
  logger: Logger;
}
