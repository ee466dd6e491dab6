/**
 * `npm run function:image -- --tag NAME:TAG DIR [--entry index.mjs]`: builds a function image
 * offline from this machine's Node.js, the function SDK and DIR, into the image store of the
 * Docker Engine API at DOCKER_HOST (a Podman or Docker socket; default the usual sockets).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { buildNodeImage } from '../src/actions/node-image.js';

const SOCKETS = ['/run/podman/podman.sock', '/var/run/docker.sock'];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { tag: { type: 'string' }, entry: { type: 'string' } },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!values.tag || !dir) throw new Error('usage: build-function-image --tag NAME:TAG DIR [--entry index.mjs]');
  const host = process.env['DOCKER_HOST'];
  const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : SOCKETS.find((s) => existsSync(s));
  if (!socketPath) throw new Error(`no container engine socket: set DOCKER_HOST=unix://PATH (tried ${SOCKETS.join(', ')})`);
  const t0 = performance.now();
  const id = await buildNodeImage(new Dockerode({ socketPath }), { tag: values.tag, sourceDir: dir, ...(values.entry ? { entry: values.entry } : {}) });
  process.stdout.write(`${values.tag} ${id} (${Math.round(performance.now() - t0)} ms)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
