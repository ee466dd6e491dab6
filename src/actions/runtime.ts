/**
 * The container engine, through the Docker Engine API: Docker or `podman system service`, found
 * at `[isolateAPI] Socket`, else DOCKER_HOST, else the usual sockets. Images come from the local
 * store or are pulled with the call's registry login.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
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
 * Makes sure the image is in the local store, pulling it with the call's registry login when it
 * is not. An image this service pulled with a login is private: a call with another login (or
 * none) must pull it again with its own, so one namespace's credentials never serve another's
 * calls. Which logins have pulled which image is kept in `file` across restarts. Concurrent
 * requests for one image and login share one pull.
 */
export class Images {
  private readonly pulling = new Map<string, Promise<void>>();
  /** image → the logins ("" for none) a pull of it succeeded with, for images pulled with a login */
  private verified = new Map<string, Set<string>>();
  private loaded = false;

  constructor(
    private readonly docker: Dockerode,
    private readonly file: string,
  ) {}

  async ensure(image: string, auth: () => Promise<RegistryAuth | undefined>): Promise<void> {
    await this.load();
    const present = await this.present(image);
    const verified = this.verified.get(image);
    if (present && !verified) return;
    let login: RegistryAuth | undefined;
    try {
      login = await auth();
    } catch (e) {
      throw new ImageError(`cannot get the registry login for ${image}: ${messageOf(e)}`);
    }
    const who = login ? `${login.serveraddress} ${login.username}` : '';
    if (present && verified?.has(who)) return;
    const key = `${image}\0${who}`;
    let p = this.pulling.get(key);
    if (!p) {
      p = this.pull(image, login)
        .then(() => this.remember(image, who, login !== undefined || verified !== undefined))
        .finally(() => this.pulling.delete(key));
      this.pulling.set(key, p);
    }
    await p;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    try {
      const saved = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, string[]>;
      this.verified = new Map(Object.entries(saved).map(([k, v]) => [k, new Set(v)]));
    } catch {
      this.verified = new Map();
    }
  }

  private async remember(image: string, who: string, isPrivate: boolean): Promise<void> {
    if (!isPrivate) return;
    const set = this.verified.get(image) ?? new Set<string>();
    set.add(who);
    this.verified.set(image, set);
    const saved = Object.fromEntries([...this.verified].map(([k, v]) => [k, [...v]]));
    await writeFile(`${this.file}.tmp`, JSON.stringify(saved));
    await rename(`${this.file}.tmp`, this.file);
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

  private async pull(image: string, login: RegistryAuth | undefined): Promise<void> {
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
