/**
 * The action service (component i): runs functions as containers through the Docker Engine
 * API and reports their results to the flow side (src/actions/README.md).
 */
export { ActionRunner } from './runner.js';
export type { RunnerOptions } from './runner.js';
export { SIZES, TEMP_MOUNT, containerOptions } from './container.js';
export type { FunctionSize } from './container.js';
export { hostAddress, openRuntime, runtimeAddress } from './runtime.js';
export { buildNodeImage } from './node-image.js';
export { callRef } from './types.js';
export type { ActionRequest, CallRef, CallResult, FlowLink, RegistryAuth, VariableData } from './types.js';
export { RemoteActionService, buildActionApi, buildFlowEndpoint, httpFlowLink } from './remote.js';
export type { ResultSink } from './remote.js';
