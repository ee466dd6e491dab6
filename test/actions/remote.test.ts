/**
 * The wire between a flow node and an action service apart (`-t w` and `-t i`): calls posted to
 * the action API, results, log lines, variables and registry logins through the flow endpoint —
 * over mutual TLS from `[Certs]`, and with the shared token. An unauthenticated caller is refused;
 * a call the action service does not take ends at once with direktiv.function.unavailable.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteActionService, buildActionApi, buildFlowEndpoint, httpFlowLink } from '../../src/actions/index.js';
import type { ActionRequest, CallRef, CallResult, FlowLink, ResultSink } from '../../src/actions/index.js';
import type { ActionService } from '../../src/engine/index.js';
import { clientTls, serverTls } from '../../src/util/certs.js';
import { ComponentClient } from '../../src/util/component-client.js';
import { makeCertsDirectory, removeCertsDirectory } from '../helpers/certs.js';

const logger = pino({ level: 'silent' });

const request = (actionId: string): ActionRequest => ({
  actionId,
  instanceId: 'ns/wf/abc',
  namespace: 'ns',
  workflow: 'wf',
  step: 3,
  branch: 1,
  fn: { id: 'f', type: 'reusable', image: 'localhost/x:v1', size: 'small', files: [] },
  input: { a: 1 },
  files: [],
  deadline: new Date('2030-01-01T00:00:00.000Z'),
  async: false,
});

/** The flow side behind the endpoint: records what it is told. */
function recordingFlow() {
  const seen: string[] = [];
  const vars = new Map<string, { data: Buffer; mimeType: string }>();
  const link: FlowLink = {
    report: (c: CallRef, r: CallResult) => {
      seen.push(`report ${c.actionId} ${c.instanceId} ${c.step} ${c.branch} ${JSON.stringify(r)}`);
      return Promise.resolve();
    },
    log: (c, level, text) => {
      seen.push(`log ${c.actionId} ${level} ${text}`);
      return Promise.resolve();
    },
    getVariable: (c, scope, key) => Promise.resolve(vars.get(`${c.namespace}/${scope}/${key}`) ?? null),
    setVariable: (c, scope, key, v) => {
      vars.set(`${c.namespace}/${scope}/${key}`, v);
      return Promise.resolve();
    },
    registryAuth: (c, image) => Promise.resolve(image.startsWith('reg.example.com/') ? { serveraddress: 'reg.example.com', username: c.namespace, password: 'pw' } : undefined),
  };
  return { link, seen };
}

/** The action service behind the API: records the calls it takes. */
function recordingService() {
  const taken: ActionRequest[] = [];
  const cancelled: string[] = [];
  const service: ActionService = {
    available: true,
    dispatch: (req) => {
      taken.push(req);
      return Promise.resolve();
    },
    cancel: (id) => {
      cancelled.push(id);
      return Promise.resolve();
    },
  };
  return { service, taken, cancelled };
}

describe('flow node and action service apart', () => {
  let certs: string;
  beforeAll(() => {
    certs = makeCertsDirectory(['flow', 'isolate']);
  });
  afterAll(() => removeCertsDirectory(certs));

  const url = (app: { server: { address(): unknown } }, tls: boolean) =>
    `${tls ? 'https' : 'http'}://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  for (const mode of ['mutual TLS', 'token'] as const) {
    it(`${mode}: calls, cancels, results, logs, variables and registry logins cross; strangers are refused`, async () => {
      const tls = mode === 'mutual TLS';
      const conf = { directory: tls ? certs : undefined, secure: true };
      const token = tls ? undefined : 'a-shared-token-of-some-length';
      const actions = recordingService();
      const flow = recordingFlow();
      const api = buildActionApi(actions.service, { token, tls: serverTls(conf, 'isolate'), logger });
      const endpoint = buildFlowEndpoint(flow.link, { token, tls: serverTls(conf, 'flow'), logger });
      await Promise.all([api.listen({ host: '127.0.0.1', port: 0 }), endpoint.listen({ host: '127.0.0.1', port: 0 })]);
      const toActions = new ComponentClient(url(api, tls), token, clientTls(conf, 'flow'));
      const toFlow = new ComponentClient(url(endpoint, tls), token, clientTls(conf, 'isolate'));
      const failed: string[] = [];
      const sink: ResultSink = {
        reportActionResult: (r) => {
          failed.push(`${r.actionId} ${JSON.stringify(r.result)}`);
          return Promise.resolve();
        },
      };
      try {
        // The flow side posts a call and cancels one.
        const remote = new RemoteActionService(toActions, () => sink, logger);
        await remote.dispatch(request('a1'));
        await remote.cancel('a1');
        expect(actions.taken).toEqual([request('a1')]);
        expect(actions.cancelled).toEqual(['a1']);
        expect(failed).toEqual([]);

        // The action service reports, logs, reads and writes variables, asks for a login.
        const link = httpFlowLink(toFlow);
        const call = request('a1');
        await link.report(call, { out: { done: true } });
        await link.log(call, 'error', 'line one\nline two');
        await link.setVariable(call, 'workflow', 'count', { data: Buffer.from('41'), mimeType: 'text/plain' });
        expect(await link.getVariable(call, 'workflow', 'count')).toEqual({ data: Buffer.from('41'), mimeType: 'text/plain' });
        expect(await link.getVariable(call, 'instance', 'missing')).toBeNull();
        expect(await link.registryAuth(call, 'reg.example.com/fn:v1')).toEqual({ serveraddress: 'reg.example.com', username: 'ns', password: 'pw' });
        expect(await link.registryAuth(call, 'localhost/fn:v1')).toBeUndefined();
        expect(flow.seen).toEqual(['report a1 ns/wf/abc 3 1 {"out":{"done":true}}', 'log a1 error line one\nline two']);

        // Strangers: no certificate (mutual TLS refuses the handshake) or no token (401).
        const strangers = [
          new ComponentClient(url(api, tls), undefined, tls ? { rejectUnauthorized: false } : undefined),
          new ComponentClient(url(endpoint, tls), tls ? undefined : 'wrong-token', tls ? { rejectUnauthorized: false } : undefined),
        ];
        for (const s of strangers) {
          const answer = await s.request('GET', '/v1/healthz').then(
            () => s.request('POST', '/v1/actions/report', { call, result: { out: 1 } }),
          ).then(
            (a) => a.status,
            () => 'refused',
          );
          expect(answer === 401 || answer === 'refused', String(answer)).toBe(true);
          s.close();
        }
        expect(flow.seen).toHaveLength(2);

        // A call the action service does not take: a catchable error for the instance, at once.
        await api.close();
        await remote.dispatch(request('a2'));
        expect(failed).toHaveLength(1);
        expect(failed[0]).toMatch(/^a2 \{"err":\{"code":"direktiv.function.unavailable","msg":"the action service at 127\.0\.0\.1:\d+ did not take the call: it cannot be reached/);
      } finally {
        toActions.close();
        toFlow.close();
        await Promise.all([api.close(), endpoint.close()]);
      }
    });
  }
});
