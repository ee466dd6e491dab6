/**
 * `npm run function:image -- --tag NAME:TAG DIR [--entry index.mjs]`: builds a function image
 * offline from this machine's Node.js, the function SDK and DIR, into the image store of the
 * Docker Engine API at DOCKER_HOST (a Podman or Docker socket; default the usual sockets).
 */
import { parseArgs } from 'node:util';
import { openRuntime } from '../src/actions/index.js';
import { buildNodeImage } from '../src/actions/node-image.js';


async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { tag: { type: 'string' }, entry: { type: 'string' } },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!values.tag || !dir) throw new Error('usage: build-function-image --tag NAME:TAG DIR [--entry index.mjs]');
  const { docker } = openRuntime(process.env['DIREKTIV_ISOLATE_SOCKET']);
  const t0 = performance.now();
  const id = await buildNodeImage(docker, { tag: values.tag, sourceDir: dir, ...(values.entry ? { entry: values.entry } : {}) });
  process.stdout.write(`${values.tag} ${id} (${Math.round(performance.now() - t0)} ms)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
