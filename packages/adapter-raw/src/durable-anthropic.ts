import { isFlowActive } from '@keel/core/adapter';
import { ClientUnsupportedError } from './errors/client-unsupported-error.js';
import { MessageCall, StreamedMessageCall, type Middleware, type ModelCallSettings } from './model-call.js';

/** Options of {@link durableAnthropic}. */
export interface DurableAnthropicOptions {
  /** The checkpoint name of model calls (default `model`: ids `model:1`, `model:2` …). */
  readonly name?: string;
}

/** The part of an `@anthropic-ai/sdk` client that `durableAnthropic` works with. */
export interface AnthropicClientLike {
  /** `client.messages`, whose `create` every model call goes through. */
  readonly messages: { create: (...args: never[]) => unknown };
  /** `client.beta.messages`, used by the beta helpers and the tool runner. */
  readonly beta?: { readonly messages?: { create: (...args: never[]) => unknown } };
  /** The client's middleware (its presence says the SDK supports request middleware). */
  readonly middleware?: ReadonlyArray<unknown>;
  /** Copies the client with other options. */
  withOptions(options: never): unknown;
}

type CreateFunction = (this: unknown, params: unknown, options?: unknown) => unknown;

const wrapped = Symbol.for('keel.adapter-raw.durableAnthropic');

/**
 * Makes an `@anthropic-ai/sdk` client durable: inside a flow, every logical model call is a
 * checkpoint — `messages.create()`, `create({ stream: true })`, `messages.stream()`, `messages.parse()`
 * and the beta equivalents, which the beta tool runner uses. On resume or replay a recorded call is
 * answered from the store (no request, no tokens) with the same `Message`, or with the same events
 * for a stream. The SDK's own retries stay inside one checkpoint.
 *
 * Outside a flow the client behaves exactly like the one it wraps. The given client is not changed:
 * this returns a copy (`client.withOptions({})`) whose `messages` are durable.
 *
 * @example
 * ```ts
 * const client = durableAnthropic(new Anthropic());
 * const message = await client.messages.create({ model, max_tokens: 1024, messages });
 * ```
 */
export function durableAnthropic<Client extends AnthropicClientLike>(client: Client, options: DurableAnthropicOptions = {}): Client {
  if ((client as unknown as Record<symbol, unknown>)[wrapped]) return client;
  if (typeof client?.withOptions !== 'function' || typeof client.messages?.create !== 'function') {
    throw new ClientUnsupportedError('it has no messages.create() or withOptions()');
  }
  if (!Array.isArray(client.middleware)) throw new ClientUnsupportedError('this release of the SDK has no request middleware');
  const settings: ModelCallSettings = { name: options.name ?? 'model' };
  const copy = (client.withOptions as (options: object) => Client)({});
  const resources = [copy.messages, copy.beta?.messages].filter((resource) => resource !== undefined);
  for (const resource of resources) {
    const original = resource.create as unknown as CreateFunction;
    // An own property on this copy's resource: the SDK's helpers (`stream()`, `parse()`, the tool
    // runner's message threads) call `create` through the resource, so they reach it too.
    Object.defineProperty(resource, 'create', { value: durableCreate(original, settings), configurable: true, writable: true });
  }
  const withOptions = copy.withOptions as (options: object) => Client;
  Object.defineProperty(copy, 'withOptions', {
    value: (more: object) => durableAnthropic(withOptions.call(copy, more), options),
    configurable: true,
    writable: true,
  });
  Object.defineProperty(copy, wrapped, { value: true });
  return copy;
}

/** `create` made durable: inside a flow each call is one checkpoint; outside, it is the original. */
function durableCreate(original: CreateFunction, settings: ModelCallSettings): CreateFunction {
  return function create(this: unknown, params: unknown, options?: unknown) {
    if (!isFlowActive() || typeof params !== 'object' || params === null) return original.call(this, params, options);
    const body = params as Record<string, unknown>;
    const call = body.stream === true ? new StreamedMessageCall(body, settings) : new MessageCall(body, settings);
    const requestOptions = (typeof options === 'object' && options !== null ? options : {}) as {
      signal?: AbortSignal | null;
      middleware?: ReadonlyArray<Middleware>;
    };
    const signal = requestOptions.signal ? AbortSignal.any([requestOptions.signal, call.abortController.signal]) : call.abortController.signal;
    const request = original.call(this, params, {
      ...requestOptions,
      signal,
      middleware: [...(requestOptions.middleware ?? []), call.middleware],
    });
    call.watch(request);
    return request;
  };
}
