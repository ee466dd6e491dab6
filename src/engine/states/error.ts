/**
 * error: records an error that fails the instance when it ends; the state still transitions,
 * so clean-up states can run. It does not throw, so its own catch never sees it.
 */
import { format } from 'node:util';
import type { Value } from '../../jq/index.js';
import { Codes, WorkflowError, evaluateTemplate } from '../../language/index.js';
import type { ErrorState } from '../../language/index.js';
import type { StateLogic } from './logic.js';
import { next } from './logic.js';

const text = (v: Value) => (typeof v === 'string' ? v : JSON.stringify(v));

export const error: StateLogic<ErrorState> = {
  enter(c, s) {
    if (c.inst.recorded_error) {
      throw new WorkflowError(
        Codes.multipleErrors,
        `state '${s.id}' raises '${s.error}' after '${c.inst.recorded_error.code}' was already recorded`,
      );
    }
    let msg: string;
    if (s.args.length > 0) {
      const args = s.args.map((a) => evaluateTemplate(a, c.inst.data, c.jqOptions));
      // printf-style: %s, %d, %v… as the original's Go fmt did.
      msg = format(text(s.message).replace(/%v/g, '%s'), ...args.map((a) => (typeof a === 'object' && a !== null ? JSON.stringify(a) : a)));
    } else {
      msg = text(evaluateTemplate(s.message, c.inst.data, c.jqOptions));
    }
    c.inst.recorded_error = { code: s.error, msg };
    c.log(`Recorded error '${s.error}': ${msg}`, 'error');
    return next(s);
  },
};
