import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiContext } from './api/api-context.js';
import { BackgroundRuns } from './api/background-runs.js';
import { executionRoutes } from './api/execution-routes.js';
import { openApiDocument } from './api/openapi-document.js';
import { operationRoutes } from './api/operation-routes.js';
import { RunOperations } from './api/run-operations.js';
import { versionRoutes } from './api/version-routes.js';
import { experimentRoutes } from './api/experiment-routes.js';
import { authentication, isApiPath } from './http/authentication.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { errorResponseOf } from './http/error-response.js';
import { resolveToken } from './http/api-token.js';
import { hostGuard, originGuard } from './http/request-guards.js';
import { securityHeaders } from './http/security-headers.js';
import { KeelMetrics } from './ops/keel-metrics.js';
import { healthRoutes, metricsRoute } from './ops/ops-routes.js';
import type { AppOptions, MountTarget } from './server-options.js';

/** An app with what its server needs to shut it down. */
export interface BuiltApp {
  readonly app: Hono;
  readonly runs: BackgroundRuns;
  /** Aborting it ends every live log stream. */
  readonly shutdown: AbortController;
  /** The metrics `/metrics` serves, when the app has them (shut them down with the app). */
  readonly metrics: KeelMetrics | undefined;
}

/**
 * The HTTP API (under `/api`) and the dashboard (at `/`) as a hono app, for embedding in your own
 * server (`app.fetch` is a standard fetch handler). `startServer` is this plus a listener and the
 * token rules for the address it listens on. The dashboard calls the API at `/api`, so give the app
 * the root of its origin (under a path prefix, only the API works).
 *
 * @example
 * ```ts
 * const app = createApp({ runtime, token: process.env.KEEL_API_TOKEN });
 * serve({ fetch: app.fetch, port: 8080 }); // @hono/node-server, Bun.serve, Deno.serve …
 * ```
 */
export function createApp(options: AppOptions): Hono {
  return buildApp(options).app;
}

/** @internal {@link createApp} with the parts `startServer` needs. */
export function buildApp(options: AppOptions): BuiltApp {
  const token = resolveToken(options.token);
  const runs = new BackgroundRuns(
    options.onBackgroundError ?? ((error, run) => console.error(`keel server: ${run.operation} of execution ${run.executionId} failed:`, error)),
  );
  const shutdown = new AbortController();
  const context: ApiContext = {
    runtime: options.runtime,
    operations: new RunOperations(options.runtime, runs, options.flowCodeMissing),
    pollIntervalMs: options.pollIntervalMs ?? 500,
    shutdown: shutdown.signal,
  };
  const maxSize = options.bodyLimit ?? 1024 * 1024;

  const app = new Hono();
  app.use('*', securityHeaders());
  // Before the host and token checks: orchestrators probe by address and carry no token.
  healthRoutes(app, () => options.runtime.store());
  app.use('*', hostGuard(token ? undefined : options.allowedHosts));
  app.use('*', authentication(token));
  app.use('*', originGuard());
  const limit = bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: { code: 'payload_too_large', message: `The request body is larger than this server accepts (${maxSize} bytes).` } }, 413),
  });
  // Reads have no body; looking for one would make the Node adapter build a full Request for nothing.
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));

  const api = new Hono();
  api.get('/openapi.json', (c) => c.json(openApiDocument(new URL(c.req.url).origin)));
  executionRoutes(api, context);
  operationRoutes(api, context);
  versionRoutes(api, context);
  experimentRoutes(api, context);
  app.route('/api', api);
  const metrics = options.metrics === true ? new KeelMetrics(() => options.runtime.store()) : options.metrics || undefined;
  if (metrics) metricsRoute(app, metrics);

  for (const [path, target] of Object.entries(options.mount ?? {})) mount(app, path, target);
  dashboardRoutes(app);

  app.notFound((c) => {
    if (isApiPath(c.req.path)) {
      return c.json({ error: { code: 'route_not_found', message: `No API route ${c.req.method} ${c.req.path}; /api/openapi.json lists them.` } }, 404);
    }
    return c.text('Not found.', 404);
  });
  app.onError((error, c) => {
    const { status, body } = errorResponseOf(error);
    if (status >= 500) console.error(`keel server: ${c.req.method} ${c.req.path} failed:`, error);
    return c.json(body, status as 500);
  });
  return { app, runs, shutdown, metrics };
}

function mount(app: Hono, path: string, target: MountTarget): void {
  const clean = path.replace(/\/+$/, '');
  if (!clean.startsWith('/') || clean === '' || ['/api', '/assets', '/executions'].some((taken) => clean === taken || clean.startsWith(`${taken}/`))) {
    throw new TypeError(`Cannot mount routes at "${path}": use a path such as "/mcp" (not "/", "/api", "/assets" or "/executions", which the server uses).`);
  }
  if (typeof target === 'function') {
    app.all(clean, (c) => target(c.req.raw));
    app.all(`${clean}/*`, (c) => target(c.req.raw));
  } else {
    app.route(clean, target);
  }
}
