/**
 * The action service's view of the world: the call it runs and the flow side it reports to.
 * The same interfaces serve the in-process service (`-t wi`, direct calls) and the separate
 * one (`-t i`, over HTTP), so the runner does not know which it is.
 */
import type { ActionRequest } from '../engine/index.js';
import type { Value } from '../jq/index.js';
import type { VariableScope } from '../language/index.js';

export type { ActionRequest };

/** How a call ended: the function's output, or a catchable error. */
export type CallResult = { out: Value } | { err: { code: string; msg: string } };

export interface VariableData {
  data: Buffer;
  mimeType: string;
}

/** What names a call to the flow side: its action and where its result goes. */
export type CallRef = Pick<ActionRequest, 'actionId' | 'instanceId' | 'namespace' | 'workflow' | 'step' | 'branch'>;

export interface RegistryAuth {
  serveraddress: string;
  username: string;
  password: string;
}

/** What the action service needs from the flow component, always on behalf of one call. */
export interface FlowLink {
  /** the call's result; stale or duplicate reports are dropped by the flow side */
  report(call: CallRef, result: CallResult): Promise<void>;
  /** lines for the instance's log */
  log(call: CallRef, level: 'info' | 'error', text: string): Promise<void>;
  getVariable(call: CallRef, scope: VariableScope, key: string): Promise<VariableData | null>;
  setVariable(call: CallRef, scope: VariableScope, key: string, v: VariableData): Promise<void>;
  /** the login for pulling `image` in the call's namespace, if any */
  registryAuth(call: CallRef, image: string): Promise<RegistryAuth | undefined>;
}

export const resultError = (code: string, msg: string): CallResult => ({ err: { code, msg } });

/** One line of an error, for messages that end up in the instance log. */
export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();

/** The part of a request the flow side needs to take a callback (only those fields, for the wire). */
export function callRef(req: CallRef): CallRef {
  return { actionId: req.actionId, instanceId: req.instanceId, namespace: req.namespace, workflow: req.workflow, step: req.step, branch: req.branch };
}

/**
 * A signal aborted when any of `signals` is, or after `ms` (reason: a TimeoutError), and the
 * function that releases its timer and listeners. Node 20's AbortSignal.any can lose a timeout
 * signal to garbage collection, so a pending call would never time out; this holds its own timer.
 */
export function abortAfter(ms: number, ...signals: AbortSignal[]): { signal: AbortSignal; timedOut: () => boolean; release: () => void } {
  const ac = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    ac.abort(new DOMException('the deadline passed', 'TimeoutError'));
  }, Math.max(0, ms));
  const onAbort = (e: Event) => ac.abort((e.target as AbortSignal).reason);
  for (const s of signals) {
    if (s.aborted) ac.abort(s.reason);
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: ac.signal,
    timedOut: () => fired,
    release() {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
    },
  };
}
