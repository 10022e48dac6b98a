import type { MiddlewareHandler } from 'hono';
import { hostNameOf, isSameOrigin } from './loopback.js';

/**
 * Refuses requests addressed to another host name than the allowed ones. Without a token this is what
 * keeps a web page on another site from reaching the server through DNS rebinding (its name made to
 * resolve to 127.0.0.1): the browser still sends that site's name as `Host`.
 */
export function hostGuard(allowedHosts: readonly string[] | undefined): MiddlewareHandler {
  if (!allowedHosts) return (_c, next) => next();
  const allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  return async (c, next) => {
    const hostName = hostNameOf(c.req.header('host'));
    if (hostName === undefined || !allowed.has(hostName)) {
      return c.json(
        {
          error: {
            code: 'host_not_allowed',
            message: `This Keel server answers only requests addressed to ${[...allowed].join(', ')}; set a token to serve other host names.`,
          },
        },
        403,
      );
    }
    return next();
  };
}

/**
 * Refuses requests that change something when a browser says they come from another origin (`Origin`,
 * or `Sec-Fetch-Site` other than same-origin). Services calling the API (webhooks) send neither.
 */
export function originGuard(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const foreign = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !isSameOrigin(origin, c.req.header('host')));
    if (foreign) {
      return c.json(
        {
          error: {
            code: 'origin_not_allowed',
            message: `Requests from ${origin ?? 'another site'} may not change anything here; use the dashboard on this server or call the API from a service.`,
          },
        },
        403,
      );
    }
    return next();
  };
}
