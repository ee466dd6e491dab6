/**
 * A Podman API service for a test file: `podman system service` on a socket of its own, with
 * the project's containers.conf, and a dockerode client for it. Podman and its companions are
 * Debian packages that .ci/run installs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';

export const CONTAINERS_CONF = new URL('../../scripts/containers.conf', import.meta.url).pathname;

export interface PodmanService {
  docker: Dockerode;
  socket: string;
  stop(): Promise<void>;
}

export async function startPodman(): Promise<PodmanService> {
  const dir = mkdtempSync(join(tmpdir(), 'direktiv-podman-'));
  const socket = join(dir, 'podman.sock');
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: { ...process.env, CONTAINERS_CONF },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const docker = new Dockerode({ socketPath: socket });
  for (let i = 0; ; i++) {
    try {
      await docker.ping();
      break;
    } catch (err) {
      if (child.exitCode !== null || i > 100) {
        child.kill('SIGKILL');
        throw new Error(`podman system service did not start: ${stderr.trim() || String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    docker,
    socket,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
