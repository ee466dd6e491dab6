/**
 * `npm run function:standins [-- --only vorteil/request:v6 ...] [--redirect FROM=TO ...]`: builds
 * the stand-ins for the images the examples name (scripts/standins.ts) into the image store of
 * the Docker Engine API at DOCKER_HOST (a Podman or Docker socket; default the usual sockets).
 */
import { parseArgs } from 'node:util';
import { openRuntime } from '../src/actions/index.js';
import { buildStandins } from './standins.js';

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
  const { docker } = openRuntime(process.env['DIREKTIV_ISOLATE_SOCKET']);
  const t0 = performance.now();
  const tags = await buildStandins(docker, {
    ...(values.only ? { only: values.only } : {}),
    ...(values.redirect ? { redirects } : {}),
  });
  process.stdout.write(`${tags.join('\n')}\n${tags.length} images (${Math.round(performance.now() - t0)} ms)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
