/**
 * Names of namespaces and workflows: 3 to 36 characters, lower-case letters, digits, `.`, `_`
 * and `-`, starting with a letter and ending with a letter or a digit (the workflow language's
 * rule for `id`, used for namespaces too).
 */
export const NAME_PATTERN = /^[a-z][a-z0-9._-]{1,34}[a-z0-9]$/;

export const NAME_RULE =
  '3 to 36 characters: lower-case letters, digits, ".", "_" and "-", starting with a letter and ending with a letter or a digit';

export type NameKind = 'namespace' | 'workflow';

/** What is wrong with `name`, or undefined when it is a valid name. */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  return `invalid ${kind} name ${JSON.stringify(shown)}: a ${kind} name is ${NAME_RULE}`;
}

/** A name that does not match NAME_PATTERN (HTTP 400). */
export class InvalidNameError extends Error {
  override name = 'InvalidNameError';
  constructor(
    readonly kind: NameKind,
    readonly value: string,
  ) {
    super(nameProblem(kind, value) ?? `invalid ${kind} name`);
  }
}

/** Throws InvalidNameError unless `name` is valid. */
export function checkName(kind: NameKind, name: string): void {
  if (!NAME_PATTERN.test(name)) throw new InvalidNameError(kind, name);
}
