/**
 * The wire API a request was routed to.
 *
 * - `openai-chat`: OpenAI Chat Completions, `POST /v1/chat/completions`
 * - `openai-responses`: OpenAI Responses, `POST /v1/responses`
 * - `anthropic-messages`: Anthropic Messages, `POST /v1/messages`
 */
export type FakeApi = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/**
 * What the server did with a request.
 *
 * - `pending`: received, not answered yet (a delay is running, or the turn function has not returned)
 * - `replied`: a complete reply (JSON or a whole SSE stream) was sent
 * - `failed`: an error-status fault was sent (e.g. 429 or 500 with the provider's error body)
 * - `hung`: a hang fault; the server never finishes the response
 * - `dropped`: the connection was destroyed in the middle of the response
 * - `rejected`: the script could not serve the request (exhausted, mismatch, unknown path, bad body,
 *   turn function threw); `scriptError` says why
 */
export type FakeRequestOutcome = 'pending' | 'replied' | 'failed' | 'hung' | 'dropped' | 'rejected';

/** One request the fake server received, recorded so a test can count and inspect model calls. */
export interface FakeRequest {
  /** Position among all requests this server received, from 0. */
  index: number;
  /** When the request arrived, in epoch milliseconds. */
  time: number;
  /** HTTP method, upper case. */
  method: string;
  /** URL path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** The API the path belongs to, or `null` when the path is not one the server speaks. */
  api: FakeApi | null;
  /** Request headers, names lower-cased (repeated headers joined with `, `). */
  headers: Record<string, string>;
  /**
   * The request body parsed as JSON. `{}` when the body was empty or not a JSON object (then
   * `scriptError` says so and `rawBody` has the text).
   */
  // `any` inside on purpose: tests read provider-specific fields (`body.messages.at(-1)`) without casts.
  body: Record<string, any>;
  /** The request body as received. */
  rawBody: string;
  /** Whether the client asked for a stream (`"stream": true` in the body). */
  stream: boolean;
  /** Index in the script of the turn that answered this request, or `null` if none did. */
  turn: number | null;
  /** The HTTP status sent, or `null` while pending and for a hang before headers. */
  status: number | null;
  /** What the server did with the request; updated as the response progresses. */
  outcome: FakeRequestOutcome;
  /** True when the client closed the connection before the response was complete (timeout, abort). */
  aborted: boolean;
  /** Why the script could not serve this request; also the message of the error body that was sent. */
  scriptError?: string;
}
