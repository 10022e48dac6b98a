import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { buildApp, resolveToken } from './create-app.js';
import { ServerTokenMissingError } from './errors/server-token-missing-error.js';
import { isLoopbackAddress, loopbackHostNames } from './http/request-guards.js';
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
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7400, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    running: () => runs.running(),
    idle: () => runs.idle(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        // Only metrics this server made are its to stop: ones passed in belong to the caller.
        if (metrics && options.metrics !== metrics) void metrics.shutdown();
        // Live log streams and idle keep-alive connections would hold `close` open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      })),
  };
}
