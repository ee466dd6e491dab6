/**
 * Instances that ended inside `execute`'s own transaction, kept for a few seconds so that the
 * `execute?wait=true` that follows answers without reading the instance back.
 */
import type { JsonObject } from '../jq/index.js';
import type { Step } from './step.js';
import type { InstanceDetail } from './types.js';

const KEEP_MS = 10_000;
const MAX = 1000;

export class RecentlyEnded {
  private readonly byId = new Map<string, { detail: InstanceDetail; at: number }>();

  remember(detail: InstanceDetail): void {
    const now = Date.now();
    for (const [id, e] of this.byId) {
      if (this.byId.size < MAX && now - e.at < KEEP_MS) break;
      this.byId.delete(id);
    }
    this.byId.set(detail.id, { detail, at: now });
  }

  take(id: string): InstanceDetail | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    this.byId.delete(id);
    return Date.now() - e.at < KEEP_MS ? e.detail : undefined;
  }
}

/** The ended instance as the API shows it, from the step that ended it. */
export function detailOf(c: Step, input: JsonObject): InstanceDetail {
  const i = c.inst;
  // begin_time and end_time are both the creating transaction's now().
  const now = (c.committedAt ?? new Date()).toISOString();
  return {
    id: i.id,
    namespace: i.namespace,
    workflow: i.workflow,
    revision: i.revision,
    status: i.status,
    invokedBy: i.invoked_by,
    beginTime: now,
    endTime: now,
    errorCode: c.errorCode,
    flow: i.flow,
    input,
    output: c.output ?? null,
    errorMessage: c.errorMessage,
  };
}
