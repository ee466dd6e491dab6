export { Engine } from './engine.js';
export type { EngineApi, ExecuteRequest, InstanceFilter } from './api.js';
export type { EngineDeps } from './deps.js';
export type {
  ActionRequest,
  ActionService,
  EmittedEvent,
  EventBus,
  ReceivedEvent,
  SecretsProvider,
  VariableRef,
  VariableStore,
  WaitEntry,
  WorkflowCatalog,
  WorkflowRef,
} from './ports.js';
export { DEFAULT_SETTINGS } from './settings.js';
export type { EngineSettings } from './settings.js';
export { EngineRequestError } from './types.js';
export type { InstanceDetail, InstanceStatus, InstanceSummary, InvokedBy } from './types.js';
