/**
 * The first-step writes of instances started in one transaction (an event intake's group),
 * held back and written together by `flush` in one statement sent with the commit.
 * A held instance's row does not exist until then: a first step that waits for events is
 * written at once instead (an event later in the transaction may wake it).
 */
import type { Tx } from '../db/index.js';
import type { Step } from './step.js';
import { insertStarted } from './store.js';
import type { NewInstance, StepWrites } from './store.js';

export class HeldStarts {
  private readonly held: { step: Step; s: StepWrites; n: NewInstance }[] = [];

  hold(step: Step, s: StepWrites, n: NewInstance): void {
    this.held.push({ step, s, n });
  }

  flush(q: Tx): void {
    if (this.held.length === 0) return;
    const items = this.held.splice(0);
    insertStarted(q, items, (t) => {
      for (const { step } of items) step.committedAt = t;
    });
  }
}
