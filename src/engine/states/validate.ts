/** validate: JSON Schema over the state data or a part of it. */
import { Codes, WorkflowError, compileJsonSchema, evaluateTemplate } from '../../language/index.js';
import type { SchemaCheck, ValidateState } from '../../language/index.js';
import type { StateLogic } from './logic.js';
import { next } from './logic.js';

// Revisions are immutable and their models cached, so each schema object is compiled once.
const compiled = new WeakMap<object, SchemaCheck>();

function checker(s: ValidateState): SchemaCheck {
  const key = s as object;
  let check = compiled.get(key);
  if (!check) {
    check = compileJsonSchema(s.schema);
    compiled.set(key, check);
  }
  return check;
}

export const validate: StateLogic<ValidateState> = {
  enter(c, s) {
    const subject = s.subject === undefined ? c.inst.data : evaluateTemplate(s.subject, c.inst.data, c.jqOptions);
    const reasons = checker(s)(subject);
    if (reasons.length > 0) {
      for (const r of reasons) c.log(`Schema validation failed: ${r}`, 'error');
      throw new WorkflowError(Codes.schemaFailed, reasons.join('; '));
    }
    return next(s);
  },
};
