import type { State, StateType } from '../../language/index.js';
import { Codes, WorkflowError } from '../../language/index.js';
import { action, foreach, parallel } from './actions.js';
import { error } from './error.js';
import type { StateLogic } from './logic.js';
import { delay, noop, switchState } from './simple.js';
import { validate } from './validate.js';
import { getter, setter } from './variables.js';

export type { StateLogic } from './logic.js';

/** States whose runtime arrives with the events component. */
const needsEvents = (type: string): StateLogic => ({
  enter() {
    throw new WorkflowError(
      Codes.eventsUnavailable,
      `${type} states need the events component, which this version does not have yet`,
      false,
    );
  },
});

const LOGIC: Record<StateType, StateLogic<never>> = {
  noop,
  switch: switchState,
  delay,
  validate,
  getter,
  setter,
  error,
  action,
  parallel,
  foreach,
  consumeEvent: needsEvents('consumeEvent'),
  eventAnd: needsEvents('eventAnd'),
  eventXor: needsEvents('eventXor'),
  generateEvent: needsEvents('generateEvent'),
};

export const logicOf = (s: State): StateLogic => LOGIC[s.type] as unknown as StateLogic;
