import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Runtime } from '@keel/core';
import { listen, type Listening } from '../http/listen.js';
import { KeelMetrics } from './keel-metrics.js';
import { healthRoutes, metricsRoute } from './ops-routes.js';

/** Options of {@link startOpsServer}. */
export interface OpsServerOptions {
  /** The runtime whose store is probed and measured. */
  readonly runtime: Runtime;
  /** The port (`0` picks a free one). */
  readonly port: number;
  /** The address to listen on (default `127.0.0.1`; `0.0.0.0` for a scraper in another container). */
  readonly host?: string;
  /** What `/healthz` reports beside `status: 'ok'` (a worker: whether its store answers, since when, why not). */
  readonly health?: () => Readonly<Record<string, unknown>>;
}

/** A running operations listener. */
export interface OpsServer {
  /** `http://<host>:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and stops collecting metrics. */
  close(): Promise<void>;
}

/**
 * A small HTTP listener for a process that has no API of its own (`keel worker --metrics-port`):
 * `/metrics`, `/healthz` and `/readyz` and nothing else. It serves counts and ages, never an
 * execution's data, and accepts no operation, so it needs no token.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const host = options.host ?? '127.0.0.1';
  const store = () => options.runtime.store();
  const metrics = new KeelMetrics(store);
  const app = new Hono();
  healthRoutes(app, store, options.health);
  metricsRoute(app, metrics);
  let listening: Listening;
  try {
    listening = await listen(createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server, options.port, host);
  } catch (error) {
    await metrics.shutdown();
    throw error;
  }
  return {
    url: listening.origin,
    port: listening.port,
    close: async () => {
      await listening.close();
      await metrics.shutdown();
    },
  };
}
