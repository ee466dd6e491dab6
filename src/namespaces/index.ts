/**
 * Namespaces: name rules, creation and listing. Deleting a namespace (with everything in it)
 * is the engine's `deleteNamespace`, which must cancel its instances in the same transaction.
 */
export { NAME_PATTERN, NAME_RULE, nameProblem, checkName, InvalidNameError } from './names.js';
export type { NameKind } from './names.js';
export { create, list, get, exists, requireNamespace, NamespaceExistsError, NamespaceNotFoundError } from './store.js';
export type { Namespace, Page } from './store.js';
