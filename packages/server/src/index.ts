/**
 * @module Keel's HTTP API and web dashboard: inspect and operate durable executions from a browser and
 * from other services.
 *
 * ```ts
 * import { startServer } from '@keel/server';
 * const server = await startServer({ runtime, port: 7400 });
 * ```
 */
export { startServer } from './start-server.js';
export { createApp } from './create-app.js';
export type { AppOptions, FetchHandler, KeelServer, MountTarget, StartServerOptions } from './server-options.js';
export { KeelMetrics, prometheusContentType } from './ops/keel-metrics.js';
export { storeReadiness, type StoreReadiness } from './ops/store-readiness.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops/start-ops-server.js';
export { ServerTokenMissingError } from './errors/server-token-missing-error.js';
export { errorCodes, type ErrorBody } from './http/error-response.js';
export { openApiDocument } from './api/openapi-document.js';
export { modelUsageOf, type ModelUsage } from '@keel/core';
