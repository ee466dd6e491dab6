/**
 * The published JSON Schema of the language, `schema/workflow.schema.json` at the root of the
 * project: editors (YAML language server, the web UI) check workflows with it while they are
 * typed, and the validator runs the very same file, so the two cannot drift apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const FILE = join('schema', 'workflow.schema.json');

let path: string | undefined;
let text: string | undefined;
let validator: ValidateFunction | undefined;

/**
 * Absolute path of the schema file. It is looked for in the folders above this module, so it is
 * found from src/language (tsx, vitest) and from every compiled layout (dist/language,
 * dist/bench-build/src/language) without copying it.
 */
export function workflowSchemaPath(): string {
  if (path !== undefined) return path;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, FILE);
    if (existsSync(candidate)) return (path = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${FILE} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The schema as a fresh object (callers may change their copy). */
export function loadWorkflowSchema(): Record<string, unknown> {
  text ??= readFileSync(workflowSchemaPath(), 'utf8');
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The schema compiled once. `discriminator` lets ajv check a state against the schema of its
 * `type` only (editors, which ignore the keyword, get the same answer from `oneOf`); `verbose`
 * keeps the failing schema in each error, which the error messages are built from.
 */
export function workflowSchemaValidator(): ValidateFunction {
  validator ??= new Ajv({
    allErrors: true,
    verbose: true,
    discriminator: true,
    allowUnionTypes: true,
    strict: true,
    // `required` inside oneOf/anyOf branches names properties declared by the parent schema.
    strictRequired: false,
  }).compile(loadWorkflowSchema());
  return validator;
}
