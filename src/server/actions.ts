/**
 * The action service in a process: in-process with the flow component (`-t wi`: the runner
 * reports straight to the engine), or apart (`-t i`: the action API on `[isolateAPI] Bind`,
 * reporting to the flow endpoint at `[flowAPI] Endpoint`), and the flow side of that split (a
 * flow node posting calls to `[isolateAPI] Endpoint` and serving the flow endpoint).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ActionRunner, RemoteActionService, buildActionApi, buildFlowEndpoint, httpFlowLink, openRuntime } from '../actions/index.js';
import type { FlowLink, ResultSink } from '../actions/index.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { clientTls, serverTls } from '../util/certs.js';
import type { CertComponent } from '../util/certs.js';
import { ComponentClient } from '../util/component-client.js';
import { componentToken } from './generated.js';
import { endpointOf } from './secrets.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/** Why this node cannot run the action service, or undefined when it can. */
export function actionsProblem(config: Config): string | undefined {
  if (config.isolate.isolation === 'vorteil') {
    return 'the action service (i) cannot run: VM isolation ([isolateAPI] Isolation = "vorteil") is not available in this version yet; use "container"';
  }
  return undefined;
}

/**
 * A started runner on the configured container engine. Throws, naming the engine's address,
 * when the engine does not answer.
 */
export async function startRunner(config: Config, link: FlowLink, logger: Logger): Promise<ActionRunner> {
  const { docker, where } = openRuntime(config.isolate.socket);
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`the action service (i) cannot run: the container engine at ${where} does not answer: ${(err as Error).message}`);
  }
  const runner = new ActionRunner({
    docker,
    link,
    logger,
    workDir: join(config.dataDir, 'actions'),
    network: config.isolate.network,
    outbound: config.isolate.outbound,
    maxScale: config.isolate.maxScale,
    idleMs: config.isolate.idleTimeoutMs,
    bodyLimit: config.ingress.bodyLimit,
  });
  await runner.start();
  logger.info(
    `action service: containers on ${where} (network ${config.isolate.network}${config.isolate.outbound ? '' : ', no outbound'}); callbacks at ${runner.callbacksUrl}`,
  );
  return runner;
}

async function listen(app: ReturnType<typeof buildActionApi>, config: Config, section: 'isolate' | 'flow'): Promise<string> {
  const { host, port } = config[section].bind;
  const at = await app.listen({ host, port });
  return `${serverTls(config.certs, section === 'isolate' ? 'isolate' : 'flow') ? 'https' : 'http'}://${endpointOf({ host, port: Number(new URL(at).port) })}`;
}

/** `-t i` without `w`: the runner behind the action API, reporting to the flow endpoint. */
export async function startActionService(config: Config, mainDb: Db | undefined, logger: Logger): Promise<Stoppable & { url: string; runner: ActionRunner }> {
  const token = await componentToken(config.isolate.token, mainDb);
  const client = new ComponentClient(config.flow.endpoint!, token, clientTls(config.certs, 'isolate'));
  const runner = await startRunner(config, httpFlowLink(client), logger);
  const tls = serverTls(config.certs, 'isolate');
  const app = buildActionApi(runner, { token, tls, logger, bodyLimit: config.ingress.bodyLimit + 1024 * 1024 });
  let url: string;
  try {
    url = await listen(app, config, 'isolate');
  } catch (err) {
    await runner.stop();
    client.close();
    throw err;
  }
  logger.info(`action service listening on ${url}; reporting to the flow endpoint at ${config.flow.endpoint}`);
  return {
    url,
    runner,
    async stop() {
      await app.close();
      await runner.stop();
      client.close();
    },
  };
}

/**
 * A flow node whose action service runs elsewhere: calls go to `[isolateAPI] Endpoint`, and the
 * flow endpoint on `[flowAPI] Bind` takes the service's results and callbacks.
 */
export async function remoteActions(
  config: Config,
  mainDb: Db,
  link: FlowLink,
  sink: () => ResultSink,
  logger: Logger,
): Promise<Stoppable & { actions: RemoteActionService; url: string }> {
  const token = await componentToken(config.isolate.token, mainDb);
  const client = new ComponentClient(config.isolate.endpoint!, token, clientTls(config.certs, 'flow' satisfies CertComponent));
  const app = buildFlowEndpoint(link, { token, tls: serverTls(config.certs, 'flow'), logger, bodyLimit: config.ingress.bodyLimit + 1024 * 1024 });
  const url = await listen(app, config, 'flow');
  logger.info(`actions: the action service at ${config.isolate.endpoint}; flow endpoint listening on ${url}`);
  return {
    actions: new RemoteActionService(client, sink, logger),
    url,
    async stop() {
      await app.close();
      client.close();
    },
  };
}
