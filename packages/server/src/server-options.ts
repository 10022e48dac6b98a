import type { KeelMetrics } from './ops/keel-metrics.js';
import type { Runtime } from '@keel/core';
import type { Hono } from 'hono';
import type { ServedSurface } from './http/served-surface.js';

/** A handler for requests under a mounted path: a standard fetch handler (it gets the full, unmodified request). */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * What can be mounted next to the API: a hono app (its routes are relative to the mount path) or a
 * fetch handler (it sees the original request, path prefix included).
 */
export type MountTarget = Hono | FetchHandler;

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The runtime whose store and flows the API operates. The server runs resume, retry and replay on it. */
  readonly runtime: Runtime;
  /**
   * The bearer token every request must carry. Defaults to `KEEL_API_TOKEN`; `null` (or an empty string)
   * means no token. The dashboard signs in once with `/?token=…`, which sets an HttpOnly cookie.
   */
  readonly token?: string | null;
  /**
   * Host names (the `Host` header without its port) that requests may be addressed to when no token is
   * set. `startServer` passes the loopback names, which stops DNS-rebinding pages from reaching an
   * unauthenticated server; leave it out when embedding behind your own authentication.
   */
  readonly allowedHosts?: readonly string[];
  /** Largest request body accepted, in bytes (default 1 MiB); bigger ones get 413 `payload_too_large`. */
  readonly bodyLimit?: number;
  /**
   * Extra routes served by the same app, behind the same token, host and origin checks, e.g.
   * `{ '/mcp': mcpHandler }`. Paths must not be `/api` or `/`.
   */
  readonly mount?: Readonly<Record<string, MountTarget>>;
  /**
   * Set when the runtime has no flow code on purpose (an operator's view of a bare store): how to load
   * it, in a sentence. Resume, retry, replay and run of a flow the runtime does not know then answer 409
   * `flow_code_not_loaded` naming the flow and saying this, instead of 404 `flow_not_found`; inspecting,
   * giving input and cancelling need no code.
   */
  readonly flowCodeMissing?: string;
  /** How often live log streams look for new lines, in ms (default 500). */
  readonly pollIntervalMs?: number;
  /**
   * `/metrics` in the Prometheus text format, behind the same token as the API: `true` makes a
   * {@link KeelMetrics} (which registers the global OpenTelemetry meter provider, unless the
   * application registered one), or pass your own. Off by default in `createApp`, on in `startServer`.
   * `/healthz` and `/readyz` are always served, without a token.
   */
  readonly metrics?: KeelMetrics | boolean;
  /** Called when a run the server started in the background (resume, retry, replay) ends with an error. */
  readonly onBackgroundError?: (error: unknown, run: { readonly operation: string; readonly executionId: string }) => void;
}

/** Options of {@link startServer}. */
export interface StartServerOptions extends AppOptions {
  /**
   * The address to listen on (default `127.0.0.1`). Any address other than loopback requires a token
   * (`token` or `KEEL_API_TOKEN`); without one the server refuses to start.
   */
  readonly host?: string;
  /** The port (default 7400); `0` picks a free one (see `KeelServer.port`). */
  readonly port?: number;
}

/** A running server: the dashboard at `url`, the API under `/api`. */
export type KeelServer = ServedSurface;
