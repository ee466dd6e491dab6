/**
 * A worker thread of the events benchmark: concurrent keep-alive senders posting CloudEvents
 * for a while, so the senders' own work runs beside the server's event loop rather than on it
 * (as clients on other machines would). Reports the events answered 202 and the elapsed time.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface SendersJob {
  url: string;
  senders: number;
  durationMs: number;
  /** events per request: 1 posts to …/event, more to …/events as a batch */
  batch: number;
  /** types are `${typePrefix}${random below types}`, or exactly `typePrefix` when types is 0 */
  typePrefix: string;
  types: number;
  namespace: string;
}

const job = workerData as SendersJob;
const base = new URL(job.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: job.senders });
let seq = 0;
const idPrefix = `${process.pid}-${Date.now()}-`;

const event = () => ({
  specversion: '1.0',
  id: idPrefix + String(++seq),
  source: '/bench',
  type: job.types > 0 ? `${job.typePrefix}${Math.floor(Math.random() * job.types)}` : job.typePrefix,
  data: { n: seq },
});

function post(): Promise<void> {
  const single = job.batch === 1;
  const body = JSON.stringify(single ? event() : Array.from({ length: job.batch }, event));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: `/api/namespaces/${job.namespace}/${single ? 'event' : 'events'}`,
        agent,
        headers: {
          'content-type': single ? 'application/cloudevents+json' : 'application/cloudevents-batch+json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`POST answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(): Promise<void> {
  let events = 0;
  const start = performance.now();
  const deadline = start + job.durationMs;
  await Promise.all(
    Array.from({ length: job.senders }, async () => {
      while (performance.now() < deadline) {
        await post();
        events += job.batch;
      }
    }),
  );
  agent.destroy();
  parentPort!.postMessage({ events, elapsedMs: performance.now() - start });
}

run().catch((err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }));
