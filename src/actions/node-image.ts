/**
 * Function images without a registry: a root filesystem made of this machine's own Node.js (the
 * binary and the libraries `ldd` lists), busybox for a shell, the function SDK and the
 * function's own files, imported as an image through the Docker Engine API (Docker, or
 * `podman system service`). Builds in a few seconds, offline.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { create as tar } from 'tar';

const run = promisify(execFile);

/** Where the function's files go in the image; the SDK is beside them in `sdk/`. */
export const FUNCTION_DIR = '/function';

export interface NodeImageSpec {
  /** `name:tag`, as workflows name it (`vorteil/greeting:v2`) */
  tag: string;
  /** the function's directory: its entry file and anything it needs */
  sourceDir: string;
  /** entry file inside sourceDir (default index.mjs) */
  entry?: string;
  /** busybox binary to include (default /bin/busybox, from Debian's busybox-static) */
  busybox?: string;
}

/** The SDK's folder in this checkout (functions/sdk), found above this module in any layout. */
function sdkDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'functions', 'sdk');
    if (existsSync(join(candidate, 'index.mjs'))) return candidate;
  }
  throw new Error(`functions/sdk not found above ${fileURLToPath(import.meta.url)}`);
}

/** The shared libraries a binary loads, as absolute paths (from `ldd`). */
async function librariesOf(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  return [...stdout.matchAll(/(\/\S+)/g)].map((m) => m[1]!).filter((p) => p !== binary);
}

/** Stages the root filesystem in a temporary directory; returns it (the caller removes it). */
async function stage(spec: NodeImageSpec): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'direktiv-image-'));
  const node = process.execPath;
  const copy = async (from: string, to = from) => {
    await mkdir(join(root, dirname(to)), { recursive: true });
    await cp(from, join(root, to), { dereference: true });
  };
  await copy(node, '/usr/local/bin/node');
  for (const lib of await librariesOf(node)) await copy(lib);
  await copy(spec.busybox ?? '/bin/busybox', '/bin/busybox');
  for (const tool of ['sh', 'ls', 'cat', 'env']) await symlink('busybox', join(root, 'bin', tool));
  await mkdir(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
  await cp(resolve(spec.sourceDir), join(root, FUNCTION_DIR), { recursive: true, dereference: true });
  await cp(sdkDir(), join(root, FUNCTION_DIR, 'sdk'), { recursive: true });
  return root;
}

/** Builds and tags the image; resolves with its id. */
export async function buildNodeImage(docker: Dockerode, spec: NodeImageSpec): Promise<string> {
  const colon = spec.tag.lastIndexOf(':');
  const [repo, tag] = colon > spec.tag.lastIndexOf('/') ? [spec.tag.slice(0, colon), spec.tag.slice(colon + 1)] : [spec.tag, 'latest'];
  const previous = await docker
    .getImage(spec.tag)
    .inspect()
    .then((i) => i.Id)
    .catch(() => undefined);
  const root = await stage(spec);
  try {
    const stream = tar({ cwd: root, portable: true }, ['.']);
    const progress = await docker.importImage(stream as unknown as NodeJS.ReadableStream, {
      // name:tag in `repo`: Podman ignores `tag` here (and would add a `latest` tag).
      repo: `${repo}:${tag}`,
      changes: [
        `CMD ["/usr/local/bin/node", "${FUNCTION_DIR}/${spec.entry ?? 'index.mjs'}"]`,
        `WORKDIR ${FUNCTION_DIR}`,
        'ENV PATH=/usr/local/bin:/bin',
        'EXPOSE 8080',
      ],
    } as unknown as object);
    const messages = await new Promise<{ status?: string; error?: string }[]>((done, fail) => {
      docker.modem.followProgress(progress, (err: Error | null, out: { status?: string; error?: string }[]) => (err ? fail(err) : done(out)));
    });
    const failed = messages.find((m) => m.error);
    if (failed) throw new Error(`importing ${spec.tag} failed: ${failed.error}`);
    const id = [...messages].reverse().find((m) => m.status?.startsWith('sha256:'))?.status;
    if (!id) throw new Error(`importing ${spec.tag}: the engine did not name the image it made`);
    await docker.getImage(id).tag({ repo, tag });
    // The image the tag named before is now unnamed: remove it unless a container still uses it.
    if (previous && previous !== id) await docker.getImage(previous).remove().catch(() => undefined);
    return id;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
