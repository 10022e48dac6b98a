import type { MiddlewareHandler } from 'hono';
import { isApiPath } from './authentication.js';

/** The policy of answers that set none themselves: nothing may load, run, or frame them. */
const defaultPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Adds the headers every answer carries unless it set its own: no type sniffing, no framing, no
 * referrer, a restrictive content policy; API answers are never cached.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    let response = c.res;
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': defaultPolicy,
      ...(isApiPath(c.req.path) ? { 'Cache-Control': 'no-store' } : {}),
    };
    for (const [name, value] of Object.entries(headers)) {
      if (response.headers.has(name)) continue;
      try {
        response.headers.set(name, value);
      } catch {
        // A mounted handler answered with immutable headers (a fetched response): copy it first.
        response = new Response(response.body, response);
        response.headers.set(name, value);
        c.res = response;
      }
    }
  };
}
