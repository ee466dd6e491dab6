export type VariableScope = 'namespace' | 'workflow' | 'instance';

export const VARIABLE_SCOPES: readonly VariableScope[] = ['namespace', 'workflow', 'instance'];

/**
 * One variable. `owner` is '' for namespace variables, the workflow's uid for workflow variables
 * and the instance id for instance variables.
 */
export interface VariableRef {
  namespace: string;
  scope: VariableScope;
  owner: string;
  key: string;
}

export const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const MAX_KEY_LENGTH = 128;
export const KEY_RULE = `1 to ${MAX_KEY_LENGTH} characters: letters, digits, ".", "_" and "-"`;
export const DEFAULT_MIME_TYPE = 'application/octet-stream';

/** What is wrong with `key`, or undefined when it is a valid variable key. */
export function keyProblem(key: string): string | undefined {
  if (key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key)) return undefined;
  const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  return `invalid variable key ${JSON.stringify(shown)}: a key is ${KEY_RULE}`;
}

/** A key that does not match KEY_PATTERN or is too long (HTTP 400). */
export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError';
  constructor(readonly key: string) {
    super(keyProblem(key) ?? 'invalid variable key');
  }
}

export function checkKey(key: string): void {
  if (keyProblem(key) !== undefined) throw new InvalidKeyError(key);
}

/** A value larger than the limit (HTTP 413); nothing of it was stored. */
export class VariableTooLargeError extends Error {
  override name = 'VariableTooLargeError';
  constructor(readonly limit: number) {
    super(`the value is larger than the limit of ${limit} bytes`);
  }
}

/** A MIME type as stored: the Content-Type as sent, or the default; at most 255 characters. */
export function normalizeMimeType(mimeType: string | undefined): string {
  const t = (mimeType ?? '').trim();
  if (t === '') return DEFAULT_MIME_TYPE;
  return t.length > 255 ? t.slice(0, 255) : t;
}
