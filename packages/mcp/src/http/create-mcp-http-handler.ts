import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createKeelMcpServer, reportToStderr, type KeelMcpServerOptions } from '../create-keel-mcp-server.js';
import { BackgroundRuns } from '../runs/background-runs.js';
import { answerNodeRequest } from './node-adapter.js';
import { loopbackHostNames, resolveToken } from '@keel/server/http';
import { refusal, rpcError } from './request-guards.js';

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpHandlerOptions extends Omit<KeelMcpServerOptions, 'runs'> {
  /**
   * The bearer token every request must carry (`Authorization: Bearer <token>`). Defaults to
   * `KEEL_API_TOKEN`; `null` (or `''`) means none.
   */
  readonly token?: string | null;
  /**
   * Host names (the `Host` header without its port) requests may be addressed to when no token is set,
   * which stops DNS-rebinding pages from reaching an unauthenticated server. Default: the loopback
   * names. `null` turns the check off (when mounted behind a server that makes it, like `@keel/server`).
   */
  readonly allowedHosts?: readonly string[] | null;
  /** Largest request body accepted, in bytes (default 4 MiB). */
  readonly maxBodyBytes?: number;
}

/** An MCP endpoint over streamable HTTP, for a fetch-style router or a plain Node HTTP server. */
export interface McpHttpHandler {
  /** Answers a request (any path: mount it where you want the endpoint, e.g. `/mcp`). */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The same, for `http.createServer((request, response) => handler.handleNodeRequest(request, response))`. */
  readonly handleNodeRequest: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** Ids of executions that runs started through this endpoint (resume, retry, replay) are still running. */
  running(): string[];
  /** Resolves once every run started through this endpoint has ended or reached a wait. */
  idle(): Promise<void>;
}

const defaultMaxBodyBytes = 4 * 1024 * 1024;

/**
 * Keel's MCP server over streamable HTTP, stateless: each POST is answered on its own (as JSON) by a
 * fresh server over the shared runtime, so any number of clients, restarts and load balancers work
 * without session affinity. GET (a server-to-client event stream) and DELETE (ending a session) are
 * answered 405, as the transport allows for a server without sessions.
 *
 * @example
 * ```ts
 * const mcp = createMcpHttpHandler({ runtime });
 * http.createServer((request, response) => void mcp.handleNodeRequest(request, response)).listen(7401, '127.0.0.1');
 * ```
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const token = resolveToken(options.token);
  const allowedHosts = options.allowedHosts === null ? undefined : new Set((options.allowedHosts ?? loopbackHostNames).map((host) => host.toLowerCase()));
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const runs = new BackgroundRuns(reportToStderr);
  const fetch = async (request: Request): Promise<Response> => {
    const refused = refusal(request, token, allowedHosts);
    if (refused) return refused;
    if (request.method !== 'POST') {
      return rpcError(405, `${request.method} is not served: this MCP endpoint is stateless and answers POST requests only.`, { Allow: 'POST' });
    }
    const server = createKeelMcpServer({
      runtime: options.runtime,
      runs,
      ...(options.flowCodeMissing !== undefined ? { flowCodeMissing: options.flowCodeMissing } : {}),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: maxBodyBytes,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close().catch(() => {});
    }
  };
  return {
    fetch,
    handleNodeRequest: (request, response) =>
      answerNodeRequest(fetch, request, response, maxBodyBytes).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: error instanceof Error ? error.message : String(error) }, id: null }));
      }),
    running: () => runs.running(),
    idle: () => runs.idle(),
  };
}
