/**
 * Errors raised while a workflow runs. `catchable` errors go through the state's `catch`
 * list; the others fail the instance at once (a parent still sees the code). Internal errors
 * are not WorkflowErrors: the engine marks the instance `crashed` and logs the detail.
 */
export class WorkflowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly catchable = true,
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

/** The built-in error codes of the language reference (§7). */
export const Codes = {
  jqBadCommand: 'direktiv.jq.badCommand',
  jqNotObject: 'direktiv.jq.notObject',
  jqTimeout: 'direktiv.jq.timeout',
  schemaFailed: 'direktiv.schema.failed',
  parallelAllFailed: 'direktiv.parallel.allFailed',
  multipleErrors: 'direktiv.workflow.multipleErrors',
  retriesExceeded: 'direktiv.retries.exceeded',
  cancelsTimeout: 'direktiv.cancels.timeout',
  cancelsApi: 'direktiv.cancels.api',
  cancelsParent: 'direktiv.cancels.parent',
  limitsDepth: 'direktiv.limits.depth',
  limitsSize: 'direktiv.limits.size',
  subflowNotExist: 'direktiv.subflow.notExist',
  secretsNotFound: 'direktiv.secrets.notFound',
  secretsUnavailable: 'direktiv.secrets.unavailable',
  mutex: 'direktiv.mutex',
  functionImage: 'direktiv.function.image',
  functionNetwork: 'direktiv.function.network',
  functionCrash: 'direktiv.function.crash',
  functionStatus: 'direktiv.function.status',
  functionUnavailable: 'direktiv.function.unavailable',
  eventInvalid: 'direktiv.event.invalid',
  internal: 'direktiv.internal',
} as const;
