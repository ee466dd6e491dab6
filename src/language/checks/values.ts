/**
 * Checks of single values the schema cannot judge: the description's size in bytes, the cron
 * expression, inline JSON Schemas, the order of the instance timeouts, and start event patterns.
 */
import { Buffer } from 'node:buffer';
import type { Value } from '../../jq/index.js';
import { cronProblem } from '../cron.js';
import { field, isFields, startEventsOf, statesOf, text } from '../document.js';
import { parseDuration } from '../durations.js';
import { compileJsonSchema, JsonSchemaError } from '../json-schemas.js';
import type { Problems } from '../problems.js';

const MAX_DESCRIPTION_BYTES = 1024;

export function checkValues(doc: unknown, problems: Problems): void {
  const description = text(field(doc, 'description'));
  if (description !== undefined) {
    const bytes = Buffer.byteLength(description, 'utf8');
    if (bytes > MAX_DESCRIPTION_BYTES) {
      problems.error(['description'], `is ${bytes} bytes long; at most ${MAX_DESCRIPTION_BYTES} are allowed`);
    }
  }

  const start = field(doc, 'start');
  const cron = text(field(start, 'cron'));
  if (text(field(start, 'type')) === 'scheduled' && cron !== undefined) {
    const problem = cronProblem(cron);
    if (problem !== undefined) problems.error(['start', 'cron'], problem);
  }

  // No instance data exists before an instance starts, so there is nothing to evaluate jq against.
  for (const event of startEventsOf(doc)) {
    for (const key of ['context', 'filters']) {
      const patterns = field(event.value, key);
      if (!isFields(patterns)) continue;
      for (const [name, pattern] of Object.entries(patterns)) {
        if (typeof pattern === 'string' && pattern.includes('jq(')) {
          problems.error(
            [...event.path, key, name],
            'start event patterns are plain text with "*" wildcards; jq(...) is only evaluated in states',
          );
        }
      }
    }
  }

  for (const state of statesOf(doc)) {
    const schema = field(state.value, 'schema');
    if (state.type !== 'validate' || schema === undefined) continue;
    try {
      compileJsonSchema(schema as Value);
    } catch (e) {
      if (!(e instanceof JsonSchemaError)) throw e;
      problems.error([...state.path, 'schema'], `is not a usable JSON Schema: ${e.message}`);
    }
  }

  const interrupt = durationAt(field(field(doc, 'timeouts'), 'interrupt'));
  const kill = durationAt(field(field(doc, 'timeouts'), 'kill'));
  if (interrupt !== undefined && kill !== undefined && kill <= interrupt) {
    problems.error(
      ['timeouts', 'kill'],
      'must be longer than timeouts.interrupt: kill ends the instance after interrupt gave it the chance to clean up',
    );
  }
}

/** Milliseconds of a valid duration; anything else is the schema's to report. */
function durationAt(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return parseDuration(v);
  } catch {
    return undefined;
  }
}
