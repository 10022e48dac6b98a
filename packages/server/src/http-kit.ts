/**
 * @module What Keel's HTTP surfaces share (`@keel/server/http`): the loopback and token rules and a
 * listener. The MCP server's streamable HTTP endpoint uses it, so both surfaces refuse and accept the
 * same requests.
 */
export { bearerTokenOf, resolveToken, sameSecret } from './http/api-token.js';
export { hostNameOf, isLoopbackAddress, isSameOrigin, loopbackHostNames } from './http/loopback.js';
export { listen, type Listening } from './http/listen.js';
export type { ServedSurface } from './http/served-surface.js';
