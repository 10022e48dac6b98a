import { bearerTokenOf, hostNameOf, isSameOrigin, sameSecret } from '@keel/server/http';

/**
 * Why a request may not reach the MCP server, as an HTTP answer; `undefined` when it may.
 * - With a token: every request needs `Authorization: Bearer <token>` (compared in constant time).
 * - Without one: only requests addressed to an allowed host name (what keeps a web page from reaching a
 *   loopback server through DNS rebinding), when `allowedHosts` is given.
 * - Always: a browser request from another origin is refused.
 */
export function refusal(request: Request, token: string | undefined, allowedHosts: ReadonlySet<string> | undefined): Response | undefined {
  if (token !== undefined) {
    const header = request.headers.get('authorization');
    const bearer = bearerTokenOf(header);
    if (bearer === undefined || !sameSecret(bearer, token)) {
      const problem = header === null ? 'This Keel MCP server needs a token.' : "The token given does not match this server's.";
      return rpcError(401, `${problem} Send "Authorization: Bearer <token>" with the token the server was started with (KEEL_API_TOKEN).`, {
        'WWW-Authenticate': 'Bearer realm="keel"',
      });
    }
  } else if (allowedHosts !== undefined) {
    const hostName = hostNameOf(request.headers.get('host'));
    if (hostName === undefined || !allowedHosts.has(hostName)) {
      return rpcError(
        403,
        `This Keel MCP server answers only requests addressed to ${[...allowedHosts].join(', ')}; set a token (KEEL_API_TOKEN) to serve other host names.`,
      );
    }
  }
  const origin = request.headers.get('origin');
  if (origin !== null && !isSameOrigin(origin, request.headers.get('host'))) {
    return rpcError(403, `Requests from ${origin} may not use this Keel MCP server; MCP clients call it directly, not from a web page on another site.`);
  }
  return undefined;
}

/** A JSON-RPC error answer with an HTTP status, as MCP clients expect from a streamable HTTP server. */
export function rpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}
