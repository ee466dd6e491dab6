/**
 * The action service for tests: a runner on a test's Podman service, reporting to a test
 * engine in the same process (the way `direktiv -t wi` wires them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import pino from 'pino';
import { ActionRunner } from '../../src/actions/index.js';
import type { RunnerOptions } from '../../src/actions/index.js';
import type { Engine } from '../../src/engine/index.js';
import { flowLink } from '../../src/server/adapters.js';

export interface TestActions {
  runner: ActionRunner;
  workDir: string;
  stop(): Promise<void>;
}

/** A started runner; `engine` is read late, as the engine is built with the runner. */
export async function startTestActions(
  docker: Dockerode,
  engine: () => Engine,
  options: Partial<RunnerOptions> = {},
): Promise<TestActions> {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'direktiv-actions-'));
  const runner = new ActionRunner({
    docker,
    link: flowLink(engine, () => Promise.resolve(undefined)),
    logger: pino({ level: 'silent' }),
    workDir,
    ...options,
  });
  await runner.start();
  return {
    runner,
    workDir,
    async stop() {
      await runner.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
