import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.js';
import type { EngineApi } from '../engine/api.js';
import type { AcceptResult, Delivered, EventDetail, EventRecord, ParsedEvent } from '../events/index.js';
import type { NameList, NamePage, SecretKind } from '../secrets/index.js';

export type ComponentLetter = 'w' | 'i' | 's';

export interface ApiConfig {
  /** When set, every route but /api/healthz requires it (Bearer or Direktiv-Token). */
  apiKey?: string;
  /** Largest request body in bytes (413 above). */
  bodyLimit: number;
  /** Upper bound of `execute?wait=true&timeout=` in milliseconds. */
  maxWaitMs: number;
  /** The wait of `execute?wait=true` without `timeout`. */
  defaultWaitMs: number;
  /** The components this node runs (`-t wis`). */
  components: Record<ComponentLetter, boolean>;
  /** Insecure = true: no key on a public address, on purpose (reported by /api/healthz). */
  insecure?: boolean;
  /** Letters of components that cannot run in this build yet; /api/healthz reports them. */
  unavailable: string[];
  /** Largest variable value a PUT accepts, in bytes; default `bodyLimit`. */
  maxVariableBytes?: number;
}

/**
 * Secrets and registry credentials as the API sees them (the secrets module's Secrets class).
 * Values go in and never come out. Errors: InvalidSecretError (its `status`, 400 or 413),
 * NamespaceNotFoundError, SecretsUnavailableError (the secrets service cannot be reached).
 */
export interface SecretsApi {
  list(ns: string, kind: SecretKind, page: NamePage): Promise<NameList>;
  set(ns: string, kind: SecretKind, name: string, value: string): Promise<void>;
  /** false when there was no such name */
  delete(ns: string, kind: SecretKind, name: string): Promise<boolean>;
  /** Deletes the namespace's secrets and registries; called before the namespace itself goes. */
  deleteNamespace(ns: string): Promise<void>;
  /** Why secrets cannot be used now (for /api/healthz), or undefined. */
  problem(): Promise<string | undefined>;
}

/**
 * Events as the API sees them (the events module over the engine). Errors: EventInvalidError
 * (400), NamespaceNotFoundError, EventNotFoundError (404).
 */
export interface EventsApi {
  /** stores, matches and delivers in one transaction */
  accept(ns: string, events: ParsedEvent[]): Promise<AcceptResult>;
  list(ns: string, page: { offset: number; limit: number; type?: string | undefined }): Promise<{ items: EventRecord[]; total: number }>;
  get(ns: string, seq: number): Promise<EventDetail>;
  /** the instances the replay started and woke */
  replay(ns: string, seq: number): Promise<Delivered>;
}

export interface AppOptions {
  db: Db;
  engine: EngineApi;
  config: ApiConfig;
  /** Absent: the secrets and registries routes answer 503 (no secrets component configured). */
  secrets?: SecretsApi;
  /** Absent: the events routes answer 503. */
  events?: EventsApi;
  /** The action service this node uses (run here or elsewhere): why it cannot take calls, or undefined when it can. */
  actionsProblem?: () => Promise<string | undefined>;
  /** Request and error logs go here; none when absent. */
  logger?: FastifyBaseLogger;
}

/** What every route plugin is given. */
export interface Deps {
  db: Db;
  engine: EngineApi;
  config: ApiConfig;
  secrets?: SecretsApi;
  events?: EventsApi;
  actionsProblem?: () => Promise<string | undefined>;
}
