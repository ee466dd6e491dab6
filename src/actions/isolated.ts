/**
 * One call of an `isolated` function: a fresh container per call, created with the size's
 * limits and no privileges, called over the function protocol and always removed afterwards.
 * Every way a call can end becomes a result the engine understands: the output, the function's
 * own error, or a catchable direktiv.function.* / direktiv.cancels.timeout error.
 */
import { connect } from 'node:net';
import type Dockerode from 'dockerode';
import type { Value } from '../jq/index.js';

export type FunctionSize = 'small' | 'medium' | 'large';

/** CPU and memory per size (function-protocol.md), and a process cap against fork bombs. */
export const SIZES: Record<FunctionSize, { cpus: number; memoryMb: number; pids: number }> = {
  small: { cpus: 1, memoryMb: 256, pids: 128 },
  medium: { cpus: 1, memoryMb: 512, pids: 256 },
  large: { cpus: 2, memoryMb: 1024, pids: 512 },
};

export interface IsolatedCall {
  actionId: string;
  image: string;
  cmd?: string[];
  size: FunctionSize;
  input: Value;
  deadline: Date;
  /** environment of the function, DIREKTIV_API among it */
  env?: Record<string, string>;
  /** `NetworkMode` of the container: its own network namespace (default slirp4netns, host loopback reachable) */
  network?: string;
}

export type CallResult = { out: Value } | { err: { code: string; msg: string } };

const PORT = '8080/tcp';
const DEFAULT_NETWORK = 'slirp4netns:allow_host_loopback=true';

const err = (code: string, msg: string): CallResult => ({ err: { code, msg } });

/** Runs the call; never throws for a failure of the function or its container. */
export async function callIsolated(docker: Dockerode, call: IsolatedCall): Promise<CallResult> {
  const size = SIZES[call.size];
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer({
      Image: call.image,
      ...(call.cmd ? { Cmd: call.cmd } : {}),
      Env: Object.entries(call.env ?? {}).map(([k, v]) => `${k}=${v}`),
      ExposedPorts: { [PORT]: {} },
      Labels: { 'direktiv.action': call.actionId },
      HostConfig: {
        NetworkMode: call.network ?? DEFAULT_NETWORK,
        PortBindings: { [PORT]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
        Memory: size.memoryMb * 1024 * 1024,
        MemorySwap: size.memoryMb * 1024 * 1024,
        NanoCpus: size.cpus * 1e9,
        PidsLimit: size.pids,
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,size=64m' },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
      },
    });
  } catch (e) {
    return err('direktiv.function.image', `cannot create a container of ${call.image}: ${message(e)}`);
  }
  try {
    await container.start();
    const port = (await container.inspect()).NetworkSettings.Ports[PORT]?.[0]?.HostPort;
    if (!port) return err('direktiv.function.network', 'the container has no published port 8080');
    const ready = await waitForPort(container, Number(port), call.deadline);
    if (ready !== true) return ready;
    return await post(container, Number(port), call);
  } catch (e) {
    return err('direktiv.function.crash', `the function's container failed: ${message(e)}`);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();

/** Resolves true once port accepts connections; a result when the container ends or the deadline passes first. */
async function waitForPort(container: Dockerode.Container, port: number, deadline: Date): Promise<true | CallResult> {
  for (let i = 0; ; i++) {
    if (await accepts(port)) return true;
    if (Date.now() >= deadline.getTime()) return err('direktiv.cancels.timeout', 'the function did not start listening before its deadline');
    // Every tenth try: has the process given up?
    if (i % 10 === 9) {
      const state = (await container.inspect()).State;
      if (!state.Running) return exited(state);
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

function exited(state: Dockerode.ContainerInspectInfo['State']): CallResult {
  if (state.OOMKilled) return err('direktiv.function.crash', 'the function ran out of memory and was killed');
  return err('direktiv.function.crash', `the function exited with code ${state.ExitCode}${state.Error ? `: ${state.Error}` : ''}`);
}

/**
 * Posts the call. A port forwarder accepts connections before the function listens, so a
 * connection that fails while the container still runs is tried again (the function never saw
 * it); once the container has stopped, the failure is its exit.
 */
async function post(container: Dockerode.Container, port: number, call: IsolatedCall): Promise<CallResult> {
  for (;;) {
    const ms = call.deadline.getTime() - Date.now();
    if (ms <= 0) return err('direktiv.cancels.timeout', `the function did not answer within its deadline (${call.deadline.toISOString()})`);
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Direktiv-ActionID': call.actionId,
          'Direktiv-Deadline': call.deadline.toISOString(),
        },
        body: JSON.stringify(call.input),
        signal: AbortSignal.timeout(ms),
      });
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') continue;
      const state = (await container.inspect()).State;
      if (!state.Running) return exited(state);
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    return answer(res);
  }
}

async function answer(res: Response): Promise<CallResult> {
  const body = Buffer.from(await res.arrayBuffer());
  const code = res.headers.get('direktiv-errorcode');
  if (code) return err(code, decodeHeader(res.headers.get('direktiv-errormessage') ?? ''));
  if (res.status !== 200) {
    return err('direktiv.function.status', `the function answered ${res.status}: ${body.toString('utf8').slice(0, 200)}`);
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
