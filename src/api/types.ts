import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.js';
import type { EngineApi } from '../engine/api.js';

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

export interface AppOptions {
  db: Db;
  engine: EngineApi;
  config: ApiConfig;
  /** Request and error logs go here; none when absent. */
  logger?: FastifyBaseLogger;
}

/** What every route plugin is given. */
export interface Deps {
  db: Db;
  engine: EngineApi;
  config: ApiConfig;
}
