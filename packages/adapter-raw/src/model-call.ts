import { durableCall, durableStream, normalizeRequest, requestFingerprint, type CheckpointContext } from '@keel/core/adapter';
import { Deferred } from './deferred.js';
import { ModelStreamFailedError } from './errors/model-stream-failed-error.js';
import { messageMetadata, StreamMetadata } from './model-call-metadata.js';
import { recordedFailureResponse } from './recorded-failure-response.js';
import { formatServerSentEvent, readServerSentEvents, type ServerSentEvent } from './server-sent-event.js';

/** The request the SDK's middleware sees (`RequestInit & { url }`). */
export type MiddlewareRequest = RequestInit & { url: string };

/** An `@anthropic-ai/sdk` middleware, structurally. */
export type Middleware = (request: MiddlewareRequest, next: (request: MiddlewareRequest) => Promise<Response>, context: unknown) => Promise<Response>;

/** How model calls are recorded. */
export interface ModelCallSettings {
  /** The checkpoint name of each model call (ids are `<name>:1`, `<name>:2` …). */
  readonly name: string;
}

/**
 * One logical model call — one `messages.create()` — as one checkpoint, however many HTTP attempts
 * the SDK makes for it.
 *
 * The checkpoint is opened when `create()` is called (so ids follow call order), and the SDK request
 * carries a per-request middleware bound to this call. Each HTTP attempt reaches that middleware:
 *
 * - live (the checkpoint function started): the attempt goes to the network; an error status goes
 *   back to the SDK, which retries or gives up by its own rules; the first success is the call's
 *   answer and is recorded. If the SDK gives up, the checkpoint fails with the SDK's error.
 * - replay (the checkpoint returned a stored result without running): no network; the middleware
 *   answers with the recorded message or event stream, so the SDK builds the same `Message`,
 *   `Stream` or `MessageStream` as the first time (`withResponse()`, `finalMessage()` … work).
 */
export abstract class ModelCall {
  /** Aborted when the checkpoint's signal aborts (the execution was cancelled): it cuts the request. */
  readonly abortController = new AbortController();
  /** Resolved when the checkpoint function starts: this call runs live. */
  protected readonly live = new Deferred<CheckpointContext>();
  /** The first successful HTTP response; rejected with the SDK's error when it gives up. */
  protected readonly response = new Deferred<Response>();

  protected constructor(
    protected readonly params: Record<string, unknown>,
    protected readonly settings: ModelCallSettings,
  ) {}

  /** The checkpoint spec shared by both kinds of call. */
  protected spec() {
    return {
      name: this.settings.name,
      kind: 'model' as const,
      fingerprint: requestFingerprint({ ...this.params, stream: this.params.stream === true }),
      input: normalizeRequest(this.params),
      metadata: { provider: 'anthropic', ...(typeof this.params.model === 'string' ? { model: this.params.model } : {}) },
    };
  }

  /**
   * Whether the call ran live or was settled from its record: whichever happens first of the
   * checkpoint function starting and `outcome` (the checkpoint's result) settling.
   */
  protected modeOnceSettled(outcome: Promise<unknown>): Promise<'live' | 'settled'> {
    const settled = () => 'settled' as const;
    return Promise.race([this.live.promise.then(() => 'live' as const), outcome.then(settled, settled)]);
  }

  /** Called first thing in the checkpoint function: the call is live. */
  protected startLive(context: CheckpointContext): void {
    const abort = () => this.abortController.abort(context.signal.reason);
    if (context.signal.aborted) abort();
    else context.signal.addEventListener('abort', abort, { once: true });
    this.live.resolve(context);
  }

  /** The middleware bound to this call. */
  abstract readonly middleware: Middleware;

  /**
   * Follows the SDK's request for this call: when the SDK gives up (an error status it does not
   * retry, retries exhausted, a connection error), the checkpoint fails with the SDK's own error.
   */
  watch(request: unknown): void {
    const promise = request as { _responseProps?: () => Promise<unknown>; asResponse?: () => Promise<unknown> };
    // `_responseProps` settles with the HTTP outcome without parsing the body (which the caller may
    // want to read itself through `asResponse()`); `asResponse` is the public fallback.
    const outcome =
      typeof promise._responseProps === 'function'
        ? promise._responseProps()
        : typeof promise.asResponse === 'function'
          ? promise.asResponse()
          : Promise.resolve(request);
    outcome.then(
      () => {},
      (error: unknown) => this.response.reject(error),
    );
  }
}

/** A `messages.create()` without `stream: true`: the record is the `Message` itself. */
export class MessageCall extends ModelCall {
  readonly #outcome: Promise<unknown>;
  readonly #mode: Promise<'live' | 'settled'>;

  constructor(params: Record<string, unknown>, settings: ModelCallSettings) {
    super(params, settings);
    this.#outcome = durableCall(this.spec(), async (context) => {
      this.startLive(context);
      const response = await this.response.promise;
      const message = (await response.json()) as unknown;
      context.setMetadata({ ...messageMetadata(message, response.headers.get('request-id')) });
      return message;
    });
    this.#outcome.catch(() => {});
    this.#mode = this.modeOnceSettled(this.#outcome);
  }

  readonly middleware: Middleware = async (request, next) => {
    let headers = new Headers({ 'content-type': 'application/json' });
    if ((await this.#mode) === 'live' && !this.response.settled) {
      const response = await next(request);
      if (!response.ok) return response;
      this.response.resolve(response);
      headers = bodyHeaders(response.headers);
    }
    // Live or replayed, the SDK gets the message once it is recorded: a caller never acts on an
    // answer that a crash could make the model give differently.
    let message: unknown;
    try {
      message = await this.#outcome;
    } catch (error) {
      return recordedFailureResponse(error, this.abortController);
    }
    return new Response(JSON.stringify(message), { status: 200, headers });
  };
}

/**
 * A `messages.create({ stream: true })` — which `messages.stream()` and the streaming tool runner use
 * too: recorded as its server-sent events (core's `durableStream`), passed on as they arrive, and
 * replayed as the same events.
 */
export class StreamedMessageCall extends ModelCall {
  readonly #events: AsyncIterator<ServerSentEvent>;
  readonly #first: Promise<IteratorResult<ServerSentEvent>>;
  readonly #mode: Promise<'live' | 'settled'>;

  constructor(params: Record<string, unknown>, settings: ModelCallSettings) {
    super(params, settings);
    const events = durableStream<ServerSentEvent>(this.spec(), async (context) => {
      this.startLive(context);
      const response = await this.response.promise;
      if (!response.body) throw new ModelStreamFailedError({ executionId: context.executionId, checkpointId: context.checkpointId });
      return checkedEvents(readServerSentEvents(response.body), context, response.headers.get('request-id'));
    });
    this.#events = events[Symbol.asyncIterator]();
    this.#first = this.#events.next();
    this.#first.catch(() => {});
    this.#mode = this.modeOnceSettled(this.#first);
  }

  readonly middleware: Middleware = async (request, next) => {
    let headers: Headers;
    if ((await this.#mode) === 'live' && !this.response.settled) {
      const response = await next(request);
      if (!response.ok) return response;
      this.response.resolve(response);
      headers = bodyHeaders(response.headers);
    } else {
      try {
        await this.#first;
      } catch (error) {
        return recordedFailureResponse(error, this.abortController);
      }
      headers = new Headers({ 'content-type': 'text/event-stream' });
    }
    return new Response(this.#body(), { status: 200, headers });
  };

  #body(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    let first: Promise<IteratorResult<ServerSentEvent>> | undefined = this.#first;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const next = first ?? this.#events.next();
        first = undefined;
        const { done, value } = await next;
        if (done) controller.close();
        else controller.enqueue(encoder.encode(formatServerSentEvent(value)));
      },
      cancel: async () => {
        await this.#events.return?.();
      },
    });
  }
}

/** The live response's headers (request id …) for the body Keel hands on, which it re-encoded. */
function bodyHeaders(live: Headers): Headers {
  const headers = new Headers(live);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return headers;
}

/**
 * Passes the events on and sets the record's metadata; a stream that carried an `error` event or
 * ended before `message_stop` fails the checkpoint instead of being recorded as an answer.
 */
async function* checkedEvents(events: AsyncIterable<ServerSentEvent>, context: CheckpointContext, requestId: string | null): AsyncGenerator<ServerSentEvent> {
  const metadata = new StreamMetadata(requestId);
  for await (const event of events) {
    metadata.observe(event);
    yield event;
    if (event.event === 'error') {
      throw new ModelStreamFailedError({ executionId: context.executionId, checkpointId: context.checkpointId, streamError: event.data });
    }
  }
  if (!metadata.stopped) throw new ModelStreamFailedError({ executionId: context.executionId, checkpointId: context.checkpointId });
  context.setMetadata({ ...metadata.toMetadata() });
}
