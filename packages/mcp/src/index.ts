/**
 * @module Keel's MCP server: let other agents (Claude, Cursor, any MCP client) inspect and operate
 * durable agent runs — list executions, explain a failure, read checkpoints, artifacts and logs, give
 * input to waits, resume, retry, cancel and replay — over stdio or streamable HTTP.
 *
 * ```ts
 * import { serveStdio } from '@keel/mcp';
 * await serveStdio({ runtime });
 * ```
 */
export { createKeelMcpServer, serverVersion, type KeelMcpServerOptions } from './create-keel-mcp-server.js';
export { serveStdio, type StdioMcpServer, type StdioServeOptions } from './serve-stdio.js';
export { createMcpHttpHandler, type McpHttpHandler, type McpHttpHandlerOptions } from './http/create-mcp-http-handler.js';
export { serveHttp, type HttpMcpServer, type HttpServeOptions } from './serve-http.js';
export { BackgroundRuns, type BackgroundErrorHandler } from './runs/background-runs.js';
export { McpTokenMissingError } from './errors/mcp-token-missing-error.js';
