import type { Problem } from '../language/index.js';

/** The YAML does not validate (HTTP 400, one detail per problem). Nothing was stored. */
export class WorkflowInvalidError extends Error {
  override name = 'WorkflowInvalidError';
  constructor(readonly problems: Problem[]) {
    super(
      problems.length === 1
        ? `the workflow is not valid: ${problems[0]!.path ? `${problems[0]!.path}${problems[0]!.line ? ` (line ${problems[0]!.line})` : ''}: ` : ''}${problems[0]!.message}`
        : `the workflow is not valid: ${problems.length} problems`,
    );
  }
}

/** A workflow of that name exists in the namespace (HTTP 409). */
export class WorkflowExistsError extends Error {
  override name = 'WorkflowExistsError';
  constructor(
    readonly namespace: string,
    readonly workflow: string,
  ) {
    super(`workflow ${JSON.stringify(workflow)} already exists in namespace ${JSON.stringify(namespace)}`);
  }
}

/** No workflow of that name in the namespace (HTTP 404). */
export class WorkflowNotFoundError extends Error {
  override name = 'WorkflowNotFoundError';
  constructor(
    readonly namespace: string,
    readonly workflow: string,
  ) {
    super(`workflow ${JSON.stringify(workflow)} does not exist in namespace ${JSON.stringify(namespace)}`);
  }
}

/** An update named a revision that is not the current one (HTTP 409). */
export class RevisionConflictError extends Error {
  override name = 'RevisionConflictError';
  constructor(
    readonly expected: number,
    readonly current: number,
  ) {
    super(`the workflow is at revision ${current}, not ${expected}: reload it and apply the change again`);
  }
}

/** A stored revision no longer validates (a validator change): an internal error, never a 4xx. */
export class StoredRevisionInvalidError extends Error {
  override name = 'StoredRevisionInvalidError';
  constructor(
    readonly uid: string,
    readonly revision: number,
    readonly problems: Problem[],
  ) {
    super(
      `stored workflow ${uid} revision ${revision} does not validate: ` +
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    );
  }
}
