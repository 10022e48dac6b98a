import type { FakeApi, FakeRequest } from './fake-request.js';

/**
 * Token counts to report for a turn. Each number is written as-is into the provider's usage fields;
 * the fake does no arithmetic between them, so a test knows exactly what the client reads.
 *
 * | field | OpenAI Chat | OpenAI Responses | Anthropic |
 * |---|---|---|---|
 * | `inputTokens` | `prompt_tokens` | `input_tokens` | `input_tokens` |
 * | `outputTokens` | `completion_tokens` | `output_tokens` | `output_tokens` |
 * | `cachedInputTokens` | `prompt_tokens_details.cached_tokens` | `input_tokens_details.cached_tokens` | `cache_read_input_tokens` |
 * | `cacheWriteTokens` | — | — | `cache_creation_input_tokens` |
 * | `reasoningTokens` | `completion_tokens_details.reasoning_tokens` | `output_tokens_details.reasoning_tokens` | — |
 *
 * OpenAI totals (`total_tokens`) are `inputTokens + outputTokens`.
 */
export interface FakeUsage {
  /** Default: `ceil(request body length / 4)`. */
  inputTokens?: number;
  /** Default: `max(1, ceil(output characters / 4))`, counting the text and each tool call's name and arguments. */
  outputTokens?: number;
  /** Default 0. */
  cachedInputTokens?: number;
  /** Default 0. Anthropic only. */
  cacheWriteTokens?: number;
  /** Default 0. OpenAI only. */
  reasoningTokens?: number;
}

/** A tool (function) call the model makes in a turn. */
export interface FakeToolCall {
  /** The tool's name, as the client declared it. */
  name: string;
  /**
   * The arguments. An object is serialized with `JSON.stringify`; a string is sent verbatim, so a test
   * can send malformed JSON on purpose (OpenAI only: Anthropic's `input` must be a JSON object).
   * Default `{}`.
   */
  arguments?: Record<string, unknown> | string;
  /**
   * The call id. Default: the next id of this server for the provider's prefix (`call_1`, `call_2`, …
   * for OpenAI; `toolu_1`, … for Anthropic), so ids are deterministic and unique per server.
   */
  id?: string;
}

/** Answer with an HTTP error status and the provider's error body (`openai.RateLimitError`, `Anthropic.InternalServerError`, …). */
export interface FakeErrorFault {
  /** HTTP status, 400–599 (429 and 5xx are what the clients retry). */
  status: number;
  /** The error message in the body. Default: a provider-like message for the status. */
  message?: string;
  /** The provider's error type (`error.type`). Default: the provider's type for the status. */
  errorType?: string;
  /**
   * Sends `retry-after-ms` and `retry-after` headers, which all three clients (and `ai`'s own retry)
   * honour instead of their exponential backoff — keeps retry tests fast. Anthropic's client ignores 0,
   * so use 1 for "immediately". Default: no header (clients back off by themselves, ~0.5 s first retry).
   */
  retryAfterMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/**
 * Never finish the response. The request stays open until the client gives up (its timeout or abort
 * signal) or the server stops.
 */
export interface FakeHangFault {
  hang: true;
  /**
   * Streaming requests only: send the response headers and this many SSE events of the turn's reply
   * first, then stall. Default: stall before the response headers. Note that the OpenAI and Anthropic
   * clients' `timeout` only covers the time to the response headers; a stall mid-stream is ended by
   * the client's abort signal.
   */
  afterEvents?: number;
}

/** Destroy the connection in the middle of the response. */
export interface FakeDropFault {
  drop: true;
  /**
   * Streaming requests: how many SSE events of the turn's reply to send before the connection is
   * destroyed. Default: half of them (at least one). Non-streaming requests: the connection is
   * destroyed after the headers and half of the JSON body.
   */
  afterEvents?: number;
}

/** A failure to inject instead of (or in the middle of) the turn's reply. */
export type FakeFault = FakeErrorFault | FakeHangFault | FakeDropFault;

/** One scripted model reply, optionally with a fault. Answers exactly one HTTP request. */
export interface FakeTurn {
  /** Assistant text. Default `''`. Streamed one word (with its trailing space) per delta. */
  text?: string;
  /** Tool calls after the text. Their presence sets the stop reason to the provider's "tool calls" value. */
  toolCalls?: FakeToolCall[];
  /** Token counts to report; missing fields get defaults (see {@link FakeUsage}). */
  usage?: FakeUsage;
  /** Wait this long (milliseconds) before answering (before headers; applies to faults too). */
  delayMs?: number;
  /** Inject a fault. An error-status or hang fault uses up this turn; the next request gets the next turn. */
  fault?: FakeFault;
  /**
   * Expect this API. A request to another API is answered with an error in that API's format (status
   * 400, recorded with `scriptError`) instead of this turn; the turn is used up like any other.
   */
  api?: FakeApi;
}

/** Computes the turn from the request (e.g. answer a tool result). May be async. */
export type FakeTurnFunction = (request: FakeRequest) => FakeTurn | string | Promise<FakeTurn | string>;

/** One entry of a script: a turn, plain text (shorthand for `{ text }`), or a function returning a turn. */
export type FakeScriptEntry = FakeTurn | string | FakeTurnFunction;
