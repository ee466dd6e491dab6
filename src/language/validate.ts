/**
 * `validateWorkflow`: YAML text in, every problem out, and the normalised model when there are
 * none (language reference §1).
 *
 * 1. YAML: one document, no syntax errors (./yaml-source.ts).
 * 2. The published JSON Schema, with ajv's errors rewritten for people (./schema-errors.ts).
 * 3. The checks JSON Schema cannot express (./checks): references, jq, cron, inline schemas...
 *    They run even when the schema failed, so that all problems are listed at once; a check's
 *    problem at a path the schema already complained about is left out.
 * 4. Normalisation into the model (./normalise.ts), only for a valid workflow.
 */
import type { AnySchemaObject } from 'ajv';
import { checkExpressions } from './checks/expressions.js';
import { checkReferences } from './checks/references.js';
import { checkValues } from './checks/values.js';
import type { ValidationResult } from './model.js';
import { normalise } from './normalise.js';
import { inSourceOrder, Problems } from './problems.js';
import { describeSchemaErrors } from './schema-errors.js';
import { workflowSchemaValidator } from './schema.js';
import { parseYaml } from './yaml-source.js';

export function validateWorkflow(source: string): ValidationResult {
  const parsed = parseYaml(source);
  if (parsed.source === undefined) return { errors: parsed.errors, warnings: parsed.warnings };
  const doc = parsed.source.value;

  const schemaProblems = new Problems(parsed.source);
  const validate = workflowSchemaValidator();
  if (!validate(doc)) {
    for (const p of describeSchemaErrors(validate.errors ?? [], doc, validate.schema as AnySchemaObject)) {
      schemaProblems.error(p.path, p.message, p.at);
    }
  }

  const checkProblems = new Problems(parsed.source);
  checkReferences(doc, checkProblems);
  checkExpressions(doc, checkProblems);
  checkValues(doc, checkProblems);

  const reported = new Set(schemaProblems.errors.map((p) => p.path));
  const errors = [...schemaProblems.errors, ...checkProblems.errors.filter((p) => !reported.has(p.path))];
  const warnings = inSourceOrder([...parsed.warnings, ...checkProblems.warnings]);
  if (errors.length > 0) return { errors: inSourceOrder(errors), warnings };
  return { workflow: normalise(doc), errors: [], warnings };
}
