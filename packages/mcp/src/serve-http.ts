import { createServer } from 'node:http';
import { isLoopbackAddress, listen, loopbackHostNames, resolveToken, type ServedSurface } from '@keel/server/http';
import { McpTokenMissingError } from './errors/mcp-token-missing-error.js';
import { createMcpHttpHandler, type McpHttpHandlerOptions } from './http/create-mcp-http-handler.js';
import { rpcError } from './http/request-guards.js';

/** Options of {@link serveHttp}. */
export interface HttpServeOptions extends McpHttpHandlerOptions {
  /**
   * The address to listen on (default `127.0.0.1`). Any address other than loopback requires a token
   * (`token` or `KEEL_API_TOKEN`); without one, serving is refused.
   */
  readonly host?: string;
  /** The port (default 7401); `0` picks a free one. */
  readonly port?: number;
  /** The endpoint's path (default `/mcp`); other paths answer 404. */
  readonly path?: string;
}

/** A running HTTP MCP server; its `url` is the endpoint to give MCP clients (`http://127.0.0.1:7401/mcp`). */
export type HttpMcpServer = ServedSurface;

/**
 * Serves Keel's MCP server over streamable HTTP on its own port. On loopback it may run without a
 * token (and then answers only requests addressed to a loopback name); on any other address it
 * refuses to start without a token, and every request must carry `Authorization: Bearer <token>`.
 * To serve it next to the HTTP API instead, mount {@link createMcpHttpHandler} in `@keel/server`.
 *
 * @throws {McpTokenMissingError} when `host` is not loopback and no token is set.
 */
export async function serveHttp(options: HttpServeOptions): Promise<HttpMcpServer> {
  const host = options.host ?? '127.0.0.1';
  const token = resolveToken(options.token);
  if (!token && !isLoopbackAddress(host)) throw new McpTokenMissingError({ host });
  const path = options.path ?? '/mcp';
  const handler = createMcpHttpHandler({
    ...options,
    token: token ?? null,
    allowedHosts: options.allowedHosts === undefined ? [...loopbackHostNames, host.toLowerCase()] : options.allowedHosts,
  });
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      void rpcError(404, `Not found: the MCP endpoint is ${path}.`)
        .text()
        .then((body) => response.writeHead(404, { 'Content-Type': 'application/json' }).end(body));
      return;
    }
    void handler.handleNodeRequest(request, response);
  });
  const listening = await listen(server, options.port ?? 7401, host);
  return {
    url: `${listening.origin}${path}`,
    host,
    port: listening.port,
    running: () => handler.running(),
    idle: () => handler.idle(),
    close: () => listening.close(),
  };
}
