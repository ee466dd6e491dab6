/**
 * `npm run demo`: the whole system on its embedded default (PGlite in ./data), with two workflows
 * deployed and run through the public API — one of them calling a function as a container on
 * Podman (a `podman system service` of its own when no container engine answers) — then left
 * running for you to try.
 */
import { request } from 'node:http';
import pino from 'pino';
import { openRuntime } from '../src/actions/index.js';
import { startPodmanService } from '../src/actions/podman-service.js';
import type { PodmanService } from '../src/actions/podman-service.js';
import { loadConfig } from '../src/config/index.js';
import { startDirektiv } from '../src/server/main.js';
import { buildStandins } from './standins.js';

const WORKFLOW = `id: greeting
description: Greets whoever is named in the input, politely if they are a guest.
states:
- id: check
  type: switch
  conditions:
  - condition: 'jq(.guest == true)'
    transition: polite
  defaultTransition: casual
- id: polite
  type: noop
  transform:
    greeting: 'Good day, jq(.name). Welcome!'
  transition: done
- id: casual
  type: noop
  transform:
    greeting: 'Hi jq(.name)!'
  transition: done
- id: done
  type: noop
  log: 'jq(.greeting)'
  transform: 'jq(. + {length: (.greeting | length)})'
`;

const t0 = Date.now();
const say = (s: string) => process.stdout.write(s + '\n');

const FUNCTION_WORKFLOW = `id: greeter
description: Calls a function (the stand-in for the vorteil/greeting:v2 image the examples use) as a container.
functions:
- id: greeter
  image: vorteil/greeting:v2
  type: reusable
states:
- id: greet
  type: action
  action:
    function: greeter
    input: jq(.)
  transform: 'jq({greeting: .return.greeting})'
`;

/** A container engine that answers: the configured or usual one, else a Podman service of our own. */
async function containerEngine(): Promise<{ socket?: string; podman?: PodmanService; problem?: string }> {
  try {
    const { docker } = openRuntime(process.env['DIREKTIV_ISOLATE_SOCKET']);
    await docker.ping();
    return {};
  } catch {
    try {
      const podman = await startPodmanService();
      return { socket: `unix://${podman.socket}`, podman };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
}

const engine = await containerEngine();
if (engine.problem) say(`No container engine (${engine.problem}); run scripts/setup.sh for Podman. Function calls will fail.`);
const config = loadConfig({
  components: ['w', 'i', 's'],
  env: engine.socket ? { ...process.env, DIREKTIV_ISOLATE_SOCKET: engine.socket } : process.env,
});
say(`Starting direktiv (embedded database in ${config.dataDir}; the first start creates it, ~10 s)…`);
const running = await startDirektiv(config, pino({ level: process.env.DIREKTIV_DEMO_LOG ?? 'warn' }));
const api = running.flow!.url + '/api';
const headers: Record<string, string> = running.flow!.apiKey ? { authorization: `Bearer ${running.flow!.apiKey}` } : {};

// node:http rather than fetch: fetch refuses port 6666, the ingress default (a "bad port" to browsers).
function call(method: string, path: string, body?: string, type = 'application/json') {
  return new Promise<{ status: number; text: string; id: string | undefined }>((resolve, reject) => {
    const h = body === undefined ? headers : { ...headers, 'content-type': type };
    const req = request(api + path, { method, headers: h }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, id: res.headers['direktiv-instanceid'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ns = await call('PUT', '/namespaces/demo');
if (ns.status >= 300 && ns.status !== 409) throw new Error(`creating namespace demo failed: HTTP ${ns.status} ${ns.text}`);
const created = await call('POST', '/namespaces/demo/workflows', WORKFLOW, 'application/yaml');
// 409: kept from an earlier run in ./data; store this text as a new revision.
const saved = created.status === 409 ? await call('PUT', '/namespaces/demo/workflows/greeting', WORKFLOW, 'application/yaml') : created;
if (saved.status >= 300) throw new Error(`storing the workflow failed: HTTP ${saved.status} ${saved.text}`);

const input = JSON.stringify({ name: 'Ada', guest: true });
const run = await call('POST', '/namespaces/demo/workflows/greeting/execute?wait=true', input);
say(`\nRan workflow demo/greeting with input ${input} (${Date.now() - t0} ms after start):`);
say(`  instance ${run.id}: HTTP ${run.status} ${run.text}`);
const logs = await call('GET', `/instances/${run.id}/logs`);
say('  its log:');
for (const l of (JSON.parse(logs.text) as { items: { msg: string }[] }).items) say(`    ${l.msg}`);

if (!engine.problem) {
  const { docker } = openRuntime(config.isolate.socket);
  const present = await docker
    .getImage('vorteil/greeting:v2')
    .inspect()
    .then(() => true, () => false);
  if (!present) await buildStandins(docker, { only: ['vorteil/greeting:v2'] });
  const fn = await call('POST', '/namespaces/demo/workflows', FUNCTION_WORKFLOW, 'application/yaml');
  if (fn.status === 409) await call('PUT', '/namespaces/demo/workflows/greeter', FUNCTION_WORKFLOW, 'application/yaml');
  const t1 = Date.now();
  const greeted = await call('POST', '/namespaces/demo/workflows/greeter/execute?wait=true', JSON.stringify({ name: 'Grace' }));
  say(`\nRan workflow demo/greeter, whose action runs in a container (${Date.now() - t1} ms, the container's start included):`);
  say(`  instance ${greeted.id}: HTTP ${greeted.status} ${greeted.text}`);
}

say(`
The API is at ${api} (OpenAPI: ${api}/openapi.json). Try:
  curl -s -XPOST '${api}/namespaces/demo/workflows/greeting/execute?wait=true' -d '{"name":"Grace"}'
  curl -s -XPOST '${api}/namespaces/demo/workflows/greeter/execute?wait=true' -d '{"name":"Linus"}'   # a function in a container
  curl -s ${api}/namespaces/demo/instances
  curl -s -XPOST ${api}/namespaces/demo/secrets -d '{"name":"token","data":"s3cr3t"}'   # values are write-only
Ctrl-C stops the server (it drains first).`);

const stop = () => {
  void running
    .stop()
    .then(() => engine.podman?.stop())
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
