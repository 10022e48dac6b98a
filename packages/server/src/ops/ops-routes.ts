import type { Hono } from 'hono';
import type { Store } from '@keel/core';
import { prometheusContentType, type KeelMetrics } from './keel-metrics.js';
import { storeReadiness } from './store-readiness.js';

/**
 * `/healthz` (the process answers, with what `details` adds: a worker's view of its store), `/readyz`
 * (its store answers: 503 with the reason when not), for orchestrators' probes. They say nothing about
 * the executions, so they need no token.
 */
export function healthRoutes(app: Hono, store: () => Promise<Store>, details?: () => Readonly<Record<string, unknown>>): void {
  app.get('/healthz', (c) => c.json({ status: 'ok', ...details?.() }));
  app.get('/readyz', async (c) => {
    const readiness = await storeReadiness(store());
    return readiness.ready ? c.json({ status: 'ready' }) : c.json({ status: 'unavailable', reason: readiness.reason }, 503);
  });
}

/** `/metrics` in the Prometheus text format (see {@link KeelMetrics}). */
export function metricsRoute(app: Hono, metrics: KeelMetrics): void {
  app.get('/metrics', async (c) => c.body(await metrics.text(), 200, { 'content-type': prometheusContentType }));
}
