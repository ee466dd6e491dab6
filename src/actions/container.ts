/**
 * A function's container: created with the size's limits and no privileges, started, and
 * called over the function protocol (POST / for a call, DELETE / to cancel one). Every way a
 * call can end becomes a CallResult; nothing here throws for a failure of the function.
 */
import { connect } from 'node:net';
import type Dockerode from 'dockerode';
import type { Value } from '../jq/index.js';
import { abortAfter, messageOf, resultError } from './types.js';
import type { CallResult } from './types.js';

export type FunctionSize = 'small' | 'medium' | 'large';

/** CPU and memory per size (function-protocol.md), and a process cap against fork bombs. */
export const SIZES: Record<FunctionSize, { cpus: number; memoryMb: number; pids: number }> = {
  small: { cpus: 1, memoryMb: 256, pids: 128 },
  medium: { cpus: 1, memoryMb: 512, pids: 256 },
  large: { cpus: 2, memoryMb: 1024, pids: 512 },
};

/** Where a container sees its calls' temporary directories. */
export const TEMP_MOUNT = '/direktiv-data';

export interface ContainerSpec {
  image: string;
  cmd?: string[];
  size: FunctionSize;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** `NetworkMode`: a network namespace of its own (slirp4netns by default) */
  network: string;
  /** a host directory mounted read-write at TEMP_MOUNT, holding the calls' temp dirs */
  dataDir: string;
}

export interface Started {
  container: Dockerode.Container;
  /** the host port (on 127.0.0.1) that reaches the function's 8080 */
  port: number;
}

const PORT = '8080/tcp';

export class CreateError extends Error {}

/** The engine's create options for a spec: the size's limits, no privileges, the port on 127.0.0.1 only. */
export function containerOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const size = SIZES[spec.size];
  return {
    Image: spec.image,
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: { [PORT]: {} },
    Labels: spec.labels,
    HostConfig: {
      NetworkMode: spec.network,
      PortBindings: { [PORT]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Memory: size.memoryMb * 1024 * 1024,
      MemorySwap: size.memoryMb * 1024 * 1024,
      NanoCpus: size.cpus * 1e9,
      PidsLimit: size.pids,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,size=64m' },
      Binds: [`${spec.dataDir}:${TEMP_MOUNT}:rw`],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
    },
  };
}

/** Creates and starts the container; a CreateError when the engine refuses (unknown image, bad cmd). */
export async function startContainer(docker: Dockerode, spec: ContainerSpec): Promise<Started> {
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer(containerOptions(spec));
  } catch (e) {
    throw new CreateError(`cannot create a container of ${spec.image}: ${messageOf(e)}`);
  }
  try {
    await container.start();
    const port = (await container.inspect()).NetworkSettings.Ports[PORT]?.[0]?.HostPort;
    if (!port) throw new Error('the container has no published port 8080');
    return { container, port: Number(port) };
  } catch (e) {
    await container.remove({ force: true }).catch(() => undefined);
    throw new CreateError(`cannot start a container of ${spec.image}: ${messageOf(e)}`);
  }
}

export async function removeContainer(c: Dockerode.Container): Promise<void> {
  await c.remove({ force: true }).catch(() => undefined);
}

/** Resolves true once the function's port accepts connections; a result when the container ends or the deadline passes first. */
export async function waitForPort(s: Started, deadline: Date, signal?: AbortSignal): Promise<true | CallResult> {
  for (let i = 0; ; i++) {
    if (await accepts(s.port)) return true;
    if (signal?.aborted) return resultError('direktiv.cancels.api', 'the call was cancelled');
    if (Date.now() >= deadline.getTime()) return resultError('direktiv.cancels.timeout', 'the function did not start listening before its deadline');
    // Every tenth try: has the process given up?
    if (i % 10 === 9) {
      const state = await stateOf(s);
      if (state === undefined) return resultError('direktiv.function.crash', "the function's container is gone");
      if (state !== 'busy' && !state.Running) return exited(state);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * The container's state; undefined when it no longer exists, 'busy' when the engine did not
 * answer this time (a busy Podman can fail a request: that says nothing about the container).
 */
async function stateOf(s: Started): Promise<Dockerode.ContainerInspectInfo['State'] | 'busy' | undefined> {
  try {
    return (await s.container.inspect()).State;
  } catch (e) {
    return (e as { statusCode?: number }).statusCode === 404 ? undefined : 'busy';
  }
}

/** Why a stopped container stopped. */
export function exited(state: Dockerode.ContainerInspectInfo['State']): CallResult {
  if (state.OOMKilled) return resultError('direktiv.function.crash', 'the function ran out of memory and was killed');
  return resultError('direktiv.function.crash', `the function exited with code ${state.ExitCode}${state.Error ? `: ${state.Error}` : ''}`);
}

export interface ProtocolCall {
  actionId: string;
  deadline: Date;
  input: Value;
  /** the call's directory as the container sees it */
  tempDir: string;
  /** aborted when the call is dropped (cancelled past its grace period) */
  signal?: AbortSignal;
}

/**
 * Posts the call. A port forwarder accepts connections before the function listens, so a
 * connection that fails while the container still runs is tried again (the function never saw
 * it); once the container has stopped, the failure is its exit.
 */
export async function post(s: Started, call: ProtocolCall): Promise<CallResult> {
  // A forwarded connection can outlive the process behind it: watch the container, not only the socket.
  const died = new AbortController();
  const watch = setInterval(() => {
    void stateOf(s).then((state) => {
      if (state === undefined || (state !== 'busy' && !state.Running)) died.abort();
    });
  }, 1000);
  try {
    return await postUntilAnswered(s, call, died.signal);
  } finally {
    clearInterval(watch);
  }
}

async function postUntilAnswered(s: Started, call: ProtocolCall, died: AbortSignal): Promise<CallResult> {
  const body = JSON.stringify(call.input);
  for (;;) {
    const ms = call.deadline.getTime() - Date.now();
    if (ms <= 0) return resultError('direktiv.cancels.timeout', `the function did not answer within its deadline (${call.deadline.toISOString()})`);
    let res: Response;
    const limit = abortAfter(ms, died, ...(call.signal ? [call.signal] : []));
    try {
      res = await fetch(`http://127.0.0.1:${s.port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Direktiv-ActionID': call.actionId,
          'Direktiv-Deadline': call.deadline.toISOString(),
          'Direktiv-TempDir': call.tempDir,
        },
        body,
        signal: limit.signal,
      });
    } catch {
      limit.release();
      if (call.signal?.aborted) return resultError('direktiv.cancels.api', 'the call was cancelled');
      if (limit.timedOut()) continue;
      const state = await stateOf(s);
      if (state === undefined) return resultError('direktiv.function.crash', "the function's container is gone");
      if (state !== 'busy' && !state.Running) return exited(state);
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    try {
      return await answer(res);
    } finally {
      limit.release();
    }
  }
}

/** Asks the function to stop working on a call (it may ignore it; the grace period covers that). */
export async function sendCancel(s: Started, actionId: string): Promise<void> {
  await fetch(`http://127.0.0.1:${s.port}/`, {
    method: 'DELETE',
    headers: { 'Direktiv-ActionID': actionId },
    signal: AbortSignal.timeout(2000),
  })
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
}

async function answer(res: Response): Promise<CallResult> {
  let body: Buffer;
  try {
    body = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    return resultError('direktiv.function.network', `the function's answer broke off: ${messageOf(e)}`);
  }
  const code = res.headers.get('direktiv-errorcode');
  if (code) return resultError(code, decodeHeader(res.headers.get('direktiv-errormessage') ?? ''));
  if (res.status !== 200) {
    return resultError('direktiv.function.status', `the function answered ${res.status}: ${body.toString('utf8').slice(0, 200)}`);
  }
  return { out: outputOf(body) };
}

/** The SDK percent-encodes the message; other functions may send it as it is. */
function decodeHeader(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** A JSON body is the output as it is; any other body is kept as base64. */
function outputOf(body: Buffer): Value {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8')) as Value;
  } catch {
    return body.toString('base64');
  }
}

/**
 * A stopped or finished container's stdout and stderr, as the engine keeps them (Tty off:
 * frames of an 8-byte header — stream, 3 zero bytes, big-endian length — and the payload).
 */
export async function readOutput(c: Dockerode.Container): Promise<{ stdout: string; stderr: string }> {
  const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length) {
    const len = raw.readUInt32BE(i + 4);
    (raw[i] === 2 ? err : out).push(raw.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
