import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { bearerTokenOf, sameSecret } from './api-token.js';

/** The dashboard's sign-in cookie. */
export const sessionCookieName = 'keel_session';

/**
 * Requires the token on every request: `Authorization: Bearer <token>`, or the dashboard's HttpOnly
 * cookie. A browser signs in by opening any dashboard page with `?token=<token>` once: the cookie is set
 * and the page reloads without the token in its address (so it stays out of history and referrers).
 * The cookie holds a hash of the token, not the token, and is `SameSite=Strict`, so other sites cannot
 * make the browser send it.
 */
export function authentication(token: string | undefined): MiddlewareHandler {
  if (!token) return (_c, next) => next();
  const session = sessionValueOf(token);
  return async (c, next) => {
    const header = c.req.header('authorization');
    const bearer = bearerTokenOf(header);
    if (bearer !== undefined && sameSecret(bearer, token)) return next();
    const cookie = getCookie(c, sessionCookieName);
    if (cookie !== undefined && sameSecret(cookie, session)) return next();
    const offered = c.req.query('token');
    if (offered !== undefined && c.req.method === 'GET' && !isApiPath(c.req.path) && sameSecret(offered, token)) {
      const url = new URL(c.req.url);
      setCookie(c, sessionCookieName, session, { httpOnly: true, sameSite: 'Strict', path: '/', secure: url.protocol === 'https:' });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    return unauthorized(c, header !== undefined || offered !== undefined);
  };
}

function unauthorized(c: Context, offered: boolean): Response {
  c.header('WWW-Authenticate', 'Bearer realm="keel"');
  const problem = offered ? "The token given does not match this server's." : 'This Keel server needs a token.';
  if (isApiPath(c.req.path) || !(c.req.header('accept') ?? '').includes('text/html')) {
    return c.json(
      {
        error: {
          code: 'unauthorized',
          message: `${problem} Send "Authorization: Bearer <token>" with the token the server was started with (KEEL_API_TOKEN).`,
        },
      },
      401,
    );
  }
  return c.html(
    '<!doctype html><meta charset="utf-8"><title>Keel: sign in</title>' +
      '<body>' +
      `<h1>Sign in to Keel</h1><p>${problem}</p>` +
      '<p>Open this page once with <code>?token=&lt;token&gt;</code> added to its address, using the token the server was started with (<code>KEEL_API_TOKEN</code>). ' +
      'The browser then keeps an HttpOnly cookie and the token leaves the address bar.</p></body>',
    401,
  );
}

/** Whether a path is part of the JSON API (answers there are JSON, and `?token=` is not accepted). */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

function sessionValueOf(token: string): string {
  return createHash('sha256').update(`keel-dashboard-session:${token}`).digest('hex');
}
