import type { FakeApi } from './fake-request.js';
import type { IdSource } from './id-source.js';
import type { Reply } from './reply.js';

/** How one provider API looks on the wire. Internal; one implementation per API. */
export interface WireFormat {
  api: FakeApi;
  /** The request path the API is served at. */
  path: string;
  /** Prefix for generated tool call ids. */
  toolCallIdPrefix: string;
  /** Header that carries the request id (clients expose it on errors and responses). */
  requestIdHeader: string;
  /** Whether a tool call's arguments must be a JSON object (Anthropic's `input`). */
  requiresObjectArguments: boolean;
  /** The body of a non-streaming response. */
  renderJson(reply: Reply, request: Record<string, any>, ids: IdSource): unknown;
  /** A streaming response as complete SSE frames, in order, so a fault can cut it between two of them. */
  renderStream(reply: Reply, request: Record<string, any>, ids: IdSource): string[];
  /** The provider's error body for a status. */
  errorBody(status: number, message: string | undefined, errorType: string | undefined, requestId: string): unknown;
}
