/**
 * Prometheus metrics: one registry for the process, with Node's default process metrics and the
 * engine's and API's own series. Served as text by `GET /api/metrics` and `GET /metrics`.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const instancesStarted = new Counter<'namespace'>({
  name: 'direktiv_instances_started_total',
  help: 'Workflow instances started',
  labelNames: ['namespace'],
  registers: [registry],
});

export const instancesEnded = new Counter<'namespace' | 'status'>({
  name: 'direktiv_instances_ended_total',
  help: 'Workflow instances ended, by final status (complete, failed, crashed, cancelled)',
  labelNames: ['namespace', 'status'],
  registers: [registry],
});

export const stateTransitions = new Counter({
  name: 'direktiv_state_transitions_total',
  help: 'State transitions run by the engine',
  registers: [registry],
});

export const eventsReceived = new Counter<'namespace' | 'outcome'>({
  name: 'direktiv_events_received_total',
  help: 'CloudEvents received through the API, by outcome (accepted, duplicate)',
  labelNames: ['namespace', 'outcome'],
  registers: [registry],
});

export const instancesWoken = new Counter<'namespace'>({
  name: 'direktiv_instances_woken_total',
  help: 'Waiting instances woken by an event',
  labelNames: ['namespace'],
  registers: [registry],
});

export const apiRequests = new Counter<'method' | 'route' | 'status'>({
  name: 'direktiv_api_requests_total',
  help: 'HTTP requests answered by the API, by route pattern and status code',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});

export const apiRequestDuration = new Histogram<'method' | 'route'>({
  name: 'direktiv_api_request_duration_seconds',
  help: 'Time to answer an HTTP request of the API, by route pattern',
  labelNames: ['method', 'route'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

/** The Prometheus text exposition of every metric, with its content type. */
export async function metricsText(): Promise<{ contentType: string; text: string }> {
  return { contentType: registry.contentType, text: await registry.metrics() };
}
