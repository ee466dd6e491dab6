/**
 * The engine's public types: what the API, the CLI and the other components see of instances.
 */
import type { Value } from '../jq/index.js';

export type InstanceStatus = 'pending' | 'complete' | 'failed' | 'crashed' | 'cancelled';

/** Who started an instance. */
export type InvokedBy =
  | { kind: 'api' }
  | { kind: 'cron' }
  | { kind: 'event'; eventIds: string[] }
  | { kind: 'subflow'; parent: string; step: number; branch: number; actionId: string; reply: boolean };

export interface InstanceSummary {
  id: string;
  namespace: string;
  workflow: string;
  revision: number;
  status: InstanceStatus;
  invokedBy: InvokedBy;
  beginTime: string;
  endTime: string | null;
  errorCode: string | null;
}

export interface InstanceDetail extends InstanceSummary {
  flow: string[];
  input: Value;
  output: Value | null;
  errorMessage: string | null;
}

/** Thrown by the engine's API operations; the API maps `status` to the HTTP status. */
export class EngineRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }
}
