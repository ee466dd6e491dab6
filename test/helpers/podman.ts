/**
 * A Podman API service for a test file: `podman system service` on a socket of its own, with
 * the project's containers.conf, and a dockerode client for it. Podman and its companions are
 * Debian packages that .ci/run installs. With `insecureRegistries`, the service talks plain HTTP
 * to those hosts (test registries, test/helpers/registry.ts) through a registries.conf of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';

export const CONTAINERS_CONF = new URL('../../scripts/containers.conf', import.meta.url).pathname;

export interface PodmanService {
  docker: Dockerode;
  socket: string;
  stop(): Promise<void>;
}

export interface PodmanOptions {
  /** registry hosts (`127.0.0.1:5000`) reached over plain HTTP instead of HTTPS */
  insecureRegistries?: string[];
}

export async function startPodman(opts: PodmanOptions = {}): Promise<PodmanService> {
  const dir = mkdtempSync(join(tmpdir(), 'direktiv-podman-'));
  const socket = join(dir, 'podman.sock');
  const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF };
  if (opts.insecureRegistries?.length) {
    // Replaces /etc/containers/registries.conf for this service only (the drop-ins in
    // registries.conf.d still apply); without it Podman insists on HTTPS.
    const conf = join(dir, 'registries.conf');
    writeFileSync(conf, opts.insecureRegistries.map((r) => `[[registry]]\nlocation = ${JSON.stringify(r)}\ninsecure = true\n`).join('\n'));
    env.CONTAINERS_REGISTRIES_CONF = conf;
  }
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env,
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
