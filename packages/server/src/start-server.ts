import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { buildApp } from './create-app.js';
import { ServerTokenMissingError } from './errors/server-token-missing-error.js';
import { resolveToken } from './http/api-token.js';
import { listen } from './http/listen.js';
import { isLoopbackAddress, loopbackHostNames } from './http/loopback.js';
import type { KeelServer, StartServerOptions } from './server-options.js';

/**
 * Serves the HTTP API and the dashboard. On a loopback address it may run without a token (and then
 * answers only requests addressed to a loopback name); on any other address it refuses to start
 * unless a token is set (`token` or `KEEL_API_TOKEN`), and every request must carry it.
 *
 * @example
 * ```ts
 * const server = await startServer({ runtime, port: 7400 });
 * console.log(`dashboard: ${server.url}`);
 * ```
 * @throws {ServerTokenMissingError} when `host` is not loopback and no token is set.
 */
export async function startServer(options: StartServerOptions): Promise<KeelServer> {
  const host = options.host ?? '127.0.0.1';
  const token = resolveToken(options.token);
  if (!token && !isLoopbackAddress(host)) throw new ServerTokenMissingError({ host });
  const allowedHosts = options.allowedHosts ?? [...loopbackHostNames, host.toLowerCase()];
  const { app, runs, shutdown, metrics } = buildApp({ ...options, token: token ?? null, allowedHosts, metrics: options.metrics ?? true });
  const listening = await listen(createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server, options.port ?? 7400, host);
  return {
    url: listening.origin,
    host,
    port: listening.port,
    running: () => runs.running(),
    idle: () => runs.idle(),
    close: () =>
      // Ending live log streams first lets their responses finish instead of being cut. Only metrics
      // this server made are its to stop: ones passed in belong to the caller.
      listening.close(() => {
        shutdown.abort();
        if (metrics && options.metrics !== metrics) void metrics.shutdown();
      }),
  };
}
