/** getter and setter: the three variable scopes (language reference §6). */
import type { Value } from '../../jq/index.js';
import { evaluateTemplate } from '../../language/index.js';
import type { GetterState, SetterState, VariableScope } from '../../language/index.js';
import type { VariableRef } from '../ports.js';
import type { Step } from '../step.js';
import type { StateLogic } from './logic.js';
import { next } from './logic.js';

function ref(c: Step, scope: VariableScope, key: string): VariableRef {
  const owner = scope === 'namespace' ? '' : scope === 'workflow' ? c.inst.workflow_uid : c.inst.id;
  return { namespace: c.inst.namespace, scope, owner, key };
}

/** A stored value as the getter shows it: JSON when it parses, else text, else base64. */
function decode(data: Buffer): Value {
  const text = data.toString('utf8');
  try {
    return JSON.parse(text) as Value;
  } catch {
    return Buffer.from(text, 'utf8').equals(data) ? text : data.toString('base64');
  }
}

export const getter: StateLogic<GetterState> = {
  async enter(c, s) {
    const vars: Record<string, Value> = {};
    for (const v of s.variables) {
      const stored = await c.deps.variables.get(c.q, ref(c, v.scope, v.key));
      vars[v.key] = stored ? decode(stored.data) : null;
    }
    c.inst.data = { ...c.inst.data, var: vars };
    return next(s);
  },
};

export const setter: StateLogic<SetterState> = {
  async enter(c, s) {
    for (const v of s.variables) {
      const value = evaluateTemplate(v.value, c.inst.data, c.jqOptions);
      const r = ref(c, v.scope, v.key);
      if (value === null) {
        await c.deps.variables.delete(c.q, r);
        continue;
      }
      // A string stored under a non-JSON MIME type keeps its bytes as they are (text/plain…).
      const raw = typeof value === 'string' && v.mimeType !== undefined && !/json/i.test(v.mimeType);
      const data = Buffer.from(raw ? value : JSON.stringify(value), 'utf8');
      await c.deps.variables.set(c.q, r, data, v.mimeType ?? 'application/json');
    }
    return next(s);
  },
};
