/** States that decide at once: noop, switch, delay. */
import { evaluateTemplate, truthy } from '../../language/index.js';
import type { DelayState, NoopState, SwitchState } from '../../language/index.js';
import { WAIT } from '../step.js';
import type { StateLogic } from './logic.js';
import { next } from './logic.js';

export const noop: StateLogic<NoopState> = { enter: (_c, s) => next(s) };

export const switchState: StateLogic<SwitchState> = {
  enter(c, s) {
    for (const cond of s.conditions) {
      if (truthy(evaluateTemplate(cond.condition, c.inst.data, c.jqOptions))) {
        return { kind: 'next', transform: cond.transform ?? s.transform, transition: cond.transition };
      }
    }
    return { kind: 'next', transform: s.defaultTransform ?? s.transform, transition: s.defaultTransition };
  },
};

export const delay: StateLogic<DelayState> = {
  enter(c, s) {
    c.log(`Sleeping until ${new Date(Date.now() + s.durationMs).toISOString()}.`);
    c.inst.memory = { sleeping: true };
    c.schedule('wake', { type: 'delay' }, s.durationMs);
    return WAIT;
  },
  wake: (_c, s) => next(s),
};
