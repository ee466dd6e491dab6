/**
 * The container engine, through the Docker Engine API: Docker or `podman system service`, found
 * at `[isolateAPI] Socket`, else DOCKER_HOST, else the usual sockets. Images come from the local
 * store or are pulled with the call's registry login.
 */
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import Dockerode from 'dockerode';
import { messageOf } from './types.js';
import type { RegistryAuth } from './types.js';

const USUAL_SOCKETS = ['/var/run/docker.sock', '/run/podman/podman.sock', `${process.env.XDG_RUNTIME_DIR ?? '/run/user/0'}/podman/podman.sock`];

/** The engine's address as dockerode takes it, and how it was chosen (for the log). */
export function runtimeAddress(configured: string | undefined): { options: Dockerode.DockerOptions; where: string } {
  const given = configured ?? process.env.DOCKER_HOST;
  if (given) return { options: addressOptions(given), where: given };
  const found = USUAL_SOCKETS.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `no container engine: set [isolateAPI] Socket (DIREKTIV_ISOLATE_SOCKET) or DOCKER_HOST, or start one at ${USUAL_SOCKETS.join(' or ')}`,
    );
  }
  return { options: { socketPath: found }, where: found };
}

function addressOptions(a: string): Dockerode.DockerOptions {
  if (a.startsWith('unix://')) return { socketPath: a.slice('unix://'.length) };
  if (a.startsWith('/')) return { socketPath: a };
  const u = new URL(a.replace(/^tcp:/, 'http:'));
  return { protocol: u.protocol === 'https:' ? 'https' : 'http', host: u.hostname, port: Number(u.port || 2375) };
}

export function openRuntime(configured: string | undefined): { docker: Dockerode; where: string } {
  const { options, where } = runtimeAddress(configured);
  return { docker: new Dockerode(options), where };
}

/**
 * The address containers in their own network namespace reach this host at: its first
 * non-loopback IPv4 address (slirp4netns forwards to it; the host's loopback stays out of reach).
 */
export function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export class ImageError extends Error {}

/**
 * Makes sure the image is in the local store: pulls it when it is not, with `auth` when given.
 * Concurrent requests for one image share one pull.
 */
export class Images {
  private readonly pulling = new Map<string, Promise<void>>();

  constructor(private readonly docker: Dockerode) {}

  async ensure(image: string, auth: () => Promise<RegistryAuth | undefined>): Promise<void> {
    if (await this.present(image)) return;
    let p = this.pulling.get(image);
    if (!p) {
      p = this.pull(image, auth).finally(() => this.pulling.delete(image));
      this.pulling.set(image, p);
    }
    await p;
  }

  private async present(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return false;
      throw new ImageError(`cannot look up image ${image}: ${messageOf(e)}`);
    }
  }

  private async pull(image: string, auth: () => Promise<RegistryAuth | undefined>): Promise<void> {
    const login = await auth();
    try {
      const stream = await this.docker.pull(image, login ? { authconfig: login } : {});
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
          const failed = err ?? events.find((e) => e.error);
          if (failed) reject(new Error(failed instanceof Error ? failed.message : (failed.errorDetail?.message ?? failed.error)));
          else resolve();
        });
      });
    } catch (e) {
      throw new ImageError(`cannot pull image ${image}${login ? ` (as ${login.username} at ${login.serveraddress})` : ''}: ${messageOf(e)}`);
    }
    if (!(await this.present(image))) throw new ImageError(`cannot pull image ${image}: the engine reported no error but has no such image`);
  }
}
