import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Runtime } from '@keel/core';
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
  healthRoutes(app, store);
  metricsRoute(app, metrics);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await metrics.shutdown();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await metrics.shutdown();
    },
  };
}
