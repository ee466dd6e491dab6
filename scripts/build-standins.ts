/**
 * `npm run function:standins [-- --only vorteil/request:v6 ...] [--redirect FROM=TO ...]`: builds
 * the stand-ins for the images the examples name (scripts/standins.ts) into the image store of
 * the Docker Engine API at DOCKER_HOST (a Podman or Docker socket; default the usual sockets).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { buildStandins } from './standins.js';

const SOCKETS = ['/run/podman/podman.sock', '/var/run/docker.sock'];
const USAGE = 'usage: build-standins [--only IMAGE|DIR ...] [--redirect URL-PREFIX=URL-PREFIX ...]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string', multiple: true }, redirect: { type: 'string', multiple: true } },
  });
  const redirects: Record<string, string> = {};
  for (const r of values.redirect ?? []) {
    const eq = r.indexOf('=');
    if (eq <= 0) throw new Error(`--redirect ${r}: expected FROM=TO\n${USAGE}`);
    redirects[r.slice(0, eq)] = r.slice(eq + 1);
  }
  const host = process.env['DOCKER_HOST'];
  const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : SOCKETS.find((s) => existsSync(s));
  if (!socketPath) throw new Error(`no container engine socket: set DOCKER_HOST=unix://PATH (tried ${SOCKETS.join(', ')})`);
  const t0 = performance.now();
  const tags = await buildStandins(new Dockerode({ socketPath }), {
    ...(values.only ? { only: values.only } : {}),
    ...(values.redirect ? { redirects } : {}),
  });
  process.stdout.write(`${tags.join('\n')}\n${tags.length} images (${Math.round(performance.now() - t0)} ms)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
