import type { State, StateType } from '../../language/index.js';
import { action, foreach, parallel } from './actions.js';
import { error } from './error.js';
import { consumeEvent, eventAnd, eventXor, generateEvent } from './events.js';
import type { StateLogic } from './logic.js';
import { delay, noop, switchState } from './simple.js';
import { validate } from './validate.js';
import { getter, setter } from './variables.js';

export type { StateLogic } from './logic.js';

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
  consumeEvent,
  eventAnd,
  eventXor,
  generateEvent,
};

export const logicOf = (s: State): StateLogic => LOGIC[s.type] as unknown as StateLogic;
