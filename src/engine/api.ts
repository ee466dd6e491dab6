/**
 * What the engine offers the API: starting, waiting for, cancelling and reading instances, and
 * the deletions that must cancel instances in the same transaction.
 */
import type { Value } from '../jq/index.js';
import type { InstanceDetail, InstanceStatus, InstanceSummary, InvokedBy } from './types.js';

export interface ExecuteRequest {
  namespace: string;
  workflow: string;
  /** the raw request body; normalised to an object (§5 of the language reference) */
  input: Buffer | Value | undefined;
  invokedBy: InvokedBy;
}

export interface InstanceFilter {
  namespace: string;
  workflow?: string;
  status?: InstanceStatus;
  offset: number;
  limit: number;
}

export interface EngineApi {
  /** Starts an instance; EngineRequestError 404 (no such workflow) or 409 (disabled, scheduled start). */
  execute(req: ExecuteRequest): Promise<{ instanceId: string }>;
  /** Resolves with the ended instance, or null when `timeoutMs` passes first. */
  waitForEnd(instanceId: string, timeoutMs: number): Promise<InstanceDetail | null>;
  /** Marks an instance as followed (live logs), so that every node's commits of it notify. */
  watch(instanceId: string): Promise<void>;
  /** Cancels a pending instance (and its children); false when it was not pending. */
  cancel(instanceId: string, code?: string, message?: string): Promise<boolean>;
  getInstance(instanceId: string): Promise<InstanceDetail | null>;
  listInstances(filter: InstanceFilter): Promise<{ items: InstanceSummary[]; total: number }>;
  /** Deletes a workflow, cancelling its pending instances first; false when it did not exist. */
  deleteWorkflow(namespace: string, workflow: string): Promise<boolean>;
  /** Deletes a namespace with everything in it; false when it did not exist. */
  deleteNamespace(namespace: string): Promise<boolean>;
}
