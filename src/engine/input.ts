import type { JsonObject, Value } from '../jq/index.js';

/**
 * Instance data is always an object (language reference §5): a JSON object is the data, any
 * other JSON value becomes `{"input": value}`, bytes that are not JSON become
 * `{"input": "<base64>"}`. An empty body is `{}`.
 */
export function normaliseInput(input: Buffer | Value | undefined): JsonObject {
  if (input === undefined) return {};
  if (Buffer.isBuffer(input)) {
    if (input.length === 0) return {};
    let parsed: Value;
    try {
      parsed = JSON.parse(input.toString('utf8')) as Value;
    } catch {
      return { input: input.toString('base64') };
    }
    return normaliseInput(parsed);
  }
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) return input;
  return { input };
}
