/**
 * Variables of the three scopes (namespace, workflow, instance): bytes plus a MIME type, stored in
 * 1 MiB chunks. The engine's getter and setter use getValue/setValue/deleteValue inside their
 * transaction; the API streams values both ways with writeStream/readStream.
 */
export {
  VARIABLE_SCOPES,
  KEY_PATTERN,
  MAX_KEY_LENGTH,
  KEY_RULE,
  DEFAULT_MIME_TYPE,
  keyProblem,
  checkKey,
  InvalidKeyError,
  VariableTooLargeError,
} from './keys.js';
export type { VariableScope, VariableRef } from './keys.js';
export { CHUNK_SIZE, getValue, setValue, deleteValue, list, deleteOwner } from './store.js';
export type { VariableInfo, VariableValue } from './store.js';
export { writeStream, readStream } from './stream.js';
export type { VariableStream } from './stream.js';
