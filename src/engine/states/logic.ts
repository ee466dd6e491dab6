import type { Value } from '../../jq/index.js';
import type { State } from '../../language/index.js';
import type { Outcome, Step } from '../step.js';

/** The runtime of one state type: what happens on entry and on each wake-up. */
export interface StateLogic<S extends State = State> {
  enter(c: Step, s: S): Promise<Outcome> | Outcome;
  wake?(c: Step, s: S, payload: Value): Promise<Outcome> | Outcome;
  /** Stops what the state started (children, function calls) when it is left by an error or a cancel. */
  cancel?(c: Step, s: S, code: string, message: string): void;
}

/** The usual end of a state: its transform, then its transition. */
export const next = (s: State): Outcome => ({ kind: 'next', transform: s.transform, transition: s.transition });
