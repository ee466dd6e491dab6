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
