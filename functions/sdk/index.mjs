// A Direktiv function in Node.js in a few lines (docs: functions/README.md):
//
//   import { serve, FunctionError } from './sdk/index.mjs';
//   serve(async (input, ctx) => {
//     await ctx.log(`hello ${input.name}`);
//     if (!input.name) throw new FunctionError('greeter.noName', 'no name given');
//     return { greeting: `Hello ${input.name}` };
//   });
//
// It speaks the function protocol: POST / with the action input, the Direktiv-* headers, a 200
// with the output, error headers for a FunctionError, DELETE / to cancel, and the DIREKTIV_API
// callbacks for logs and variables. No dependencies beyond Node.js itself.
import http from 'node:http';

/** A failure the workflow can catch by its code. */
export class FunctionError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const running = new Map();

function callback(aid, path, params, init) {
  const base = process.env.DIREKTIV_API;
  if (!base) throw new Error('DIREKTIV_API is not set: the action service did not start this function');
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('aid', aid);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return fetch(url, init).then(async (res) => {
    if (!res.ok) throw new Error(`${path}: the action service answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res;
  });
}

function contextFor(req) {
  const aid = String(req.headers['direktiv-actionid'] ?? '');
  const abort = new AbortController();
  running.set(aid, abort);
  return {
    actionId: aid,
    deadline: req.headers['direktiv-deadline'] ? new Date(String(req.headers['direktiv-deadline'])) : undefined,
    tempDir: req.headers['direktiv-tempdir'] ? String(req.headers['direktiv-tempdir']) : undefined,
    /** aborted when the call is cancelled */
    signal: abort.signal,
    // A log line is not worth failing the call for: without the callback (no action service, say
    // when the image runs by hand) it goes to stdout, which an isolated function's log also takes.
    log: (text) =>
      Promise.resolve()
        .then(() => callback(aid, 'log', {}, { method: 'POST', body: String(text) }))
        .then(
          () => undefined,
          () => console.log(String(text)),
        ),
    async getVariable(scope, key) {
      const res = await callback(aid, 'var', { scope, key }, { method: 'GET' });
      return Buffer.from(await res.arrayBuffer());
    },
    setVariable: (scope, key, value) =>
      callback(aid, 'var', { scope, key }, { method: 'POST', body: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value) }).then(
        () => undefined,
      ),
  };
}

function parseInput(body, type) {
  if (body.length === 0) return null;
  if (type && !/json/i.test(type)) return body;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
}

function reply(res, status, body, headers = {}) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null));
  const type = Buffer.isBuffer(body) ? 'application/octet-stream' : typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'content-type': type, 'content-length': raw.length, ...headers });
  res.end(raw);
}

/** Serves `handler(input, ctx)` on port 8080 (or PORT); resolves with the server once it listens. */
export function serve(handler, { port = Number(process.env.PORT ?? 8080) } = {}) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      if (req.method === 'DELETE') {
        running.get(String(req.headers['direktiv-actionid'] ?? ''))?.abort();
        return reply(res, 200, {});
      }
      if (req.method !== 'POST') return reply(res, 405, { error: 'POST / with the action input' });
      const ctx = contextFor(req);
      try {
        const out = await handler(parseInput(Buffer.concat(chunks), req.headers['content-type']), ctx);
        reply(res, 200, out === undefined ? null : out);
      } catch (err) {
        const code = err instanceof FunctionError ? err.code : 'direktiv.function.error';
        const message = err instanceof Error ? err.message : String(err);
        reply(res, 500, { code, message }, { 'Direktiv-ErrorCode': code, 'Direktiv-ErrorMessage': encodeURIComponent(message) });
      } finally {
        running.delete(ctx.actionId);
      }
    });
  });
  // As PID 1 in a container, Node ignores SIGTERM unless told: stop at once.
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
  return new Promise((resolve) => server.listen(port, () => resolve(server)));
}
