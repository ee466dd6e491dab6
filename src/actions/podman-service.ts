/**
 * `podman system service` as a child process: the Docker Engine API on a socket of its own, with
 * the project's containers.conf (runc and the ulimits this kind of machine needs), and a dockerode
 * client for it. Used by the demo, the tests and the benchmarks; a production node points
 * `[isolateAPI] Socket` at an engine it runs as a service.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';

/** scripts/containers.conf of this checkout, found above this module (it runs from src/ or from a build under dist/). */
export const CONTAINERS_CONF = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const p = join(dir, 'scripts', 'containers.conf');
    if (existsSync(p)) return p;
  }
  return '';
})();

export interface PodmanService {
  docker: Dockerode;
  socket: string;
  stop(): Promise<void>;
}

export interface PodmanOptions {
  /** registry hosts (`127.0.0.1:5000`) reached over plain HTTP instead of HTTPS */
  insecureRegistries?: string[];
}

export async function startPodmanService(opts: PodmanOptions = {}): Promise<PodmanService> {
  const dir = mkdtempSync(join(tmpdir(), 'direktiv-podman-'));
  const socket = join(dir, 'podman.sock');
  const env: NodeJS.ProcessEnv = { ...process.env, ...(CONTAINERS_CONF ? { CONTAINERS_CONF } : {}) };
  if (opts.insecureRegistries?.length) {
    // Replaces /etc/containers/registries.conf for this service only (the drop-ins in
    // registries.conf.d still apply); without it Podman insists on HTTPS.
    const conf = join(dir, 'registries.conf');
    writeFileSync(conf, opts.insecureRegistries.map((r) => `[[registry]]\nlocation = ${JSON.stringify(r)}\ninsecure = true\n`).join('\n'));
    env.CONTAINERS_REGISTRIES_CONF = conf;
  }
  // A process group of its own: Ctrl-C in a terminal must not stop the engine before the action
  // service has removed its containers through it; it is stopped by stop(), or when this process exits.
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const orphaned = () => child.kill('SIGTERM');
  process.once('exit', orphaned);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const spawned = new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  const stop = async () => {
    process.removeListener('exit', orphaned);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = await spawned;
  if (failed) {
    process.removeListener('exit', orphaned);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start podman (install it with scripts/system-packages.sh): ${failed.message}`);
  }
  const docker = new Dockerode({ socketPath: socket });
  for (let i = 0; ; i++) {
    try {
      await docker.ping();
      break;
    } catch (err) {
      if (child.exitCode !== null || i > 100) {
        child.kill('SIGKILL');
        await stop();
        throw new Error(`podman system service did not start: ${stderr.trim() || String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { docker, socket, stop };
}
