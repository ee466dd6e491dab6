/**
 * Function images built offline from this machine's Node.js and the function SDK, run on real
 * Podman through the Docker Engine API: the function protocol's call, its output, and its
 * error headers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNodeImage } from '../../src/actions/node-image.js';
import { startPodman } from '../helpers/podman.js';
import type { PodmanService } from '../helpers/podman.js';

const FUNCTION = `import { serve, FunctionError } from './sdk/index.mjs';
serve(async (input, ctx) => {
  if (input?.fail) throw new FunctionError('echo.failed', 'asked to fail: ' + input.fail);
  return { echo: input, actionId: ctx.actionId, deadline: ctx.deadline?.toISOString() ?? null };
});
`;

describe('function images from the machine’s Node.js, on Podman', () => {
  let podman: PodmanService;
  let dir: string;
  const TAG = 'localhost/direktiv-test/echo:v1';
  beforeAll(async () => {
    podman = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'direktiv-fn-'));
    writeFileSync(join(dir, 'index.mjs'), FUNCTION);
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await podman?.stop();
  });

  it('builds an image that serves the function protocol: output on 200, FunctionError as error headers', async () => {
    const id = await buildNodeImage(podman.docker, { tag: TAG, sourceDir: dir });
    expect(id).toMatch(/^sha256:/);
    expect((await podman.docker.getImage(TAG).inspect()).Config.Cmd).toEqual(['/usr/local/bin/node', '/function/index.mjs']);

    const container = await podman.docker.createContainer({
      Image: TAG,
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false },
      ExposedPorts: { '8080/tcp': {} },
    });
    try {
      await container.start();
      const port = (await container.inspect()).NetworkSettings.Ports['8080/tcp']![0]!.HostPort;
      const call = async (input: unknown) => {
        for (let i = 0; ; i++) {
          try {
            return await fetch(`http://127.0.0.1:${port}/`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'Direktiv-ActionID': 'a-1', 'Direktiv-Deadline': '2030-01-01T00:00:00.000Z' },
              body: JSON.stringify(input),
            });
          } catch (err) {
            if (i > 100) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      const ok = await call({ name: 'Ada' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ echo: { name: 'Ada' }, actionId: 'a-1', deadline: '2030-01-01T00:00:00.000Z' });
      const failed = await call({ fail: 'yes' });
      expect(failed.headers.get('direktiv-errorcode')).toBe('echo.failed');
      expect(decodeURIComponent(failed.headers.get('direktiv-errormessage')!)).toBe('asked to fail: yes');
    } finally {
      await container.remove({ force: true });
    }
  }, 60_000);

  it('building again replaces the image: the old one is removed, and no other tag is added', async () => {
    const first = await buildNodeImage(podman.docker, { tag: TAG, sourceDir: dir });
    const second = await buildNodeImage(podman.docker, { tag: TAG, sourceDir: dir });
    expect(second).not.toBe(first);
    await expect(podman.docker.getImage(first).inspect()).rejects.toThrow();
    expect((await podman.docker.getImage(second).inspect()).RepoTags).toEqual([TAG]);
  }, 60_000);
});
