import { tokenUsage, type ModelCall, type TokenUsage } from '@keel/core/adapter';
import type { ServerSentEvent } from './server-sent-event.js';

/** What a model call's record shows: model id, token usage and stop reason (Anthropic field names mapped). */
export interface ModelCallMetadata extends ModelCall {
  readonly provider: 'anthropic';
  /** The model that answered (the response's `model`). */
  readonly model?: string;
  /** Token usage as the response reports it, in core's one spelling (cache counts only when non-zero). */
  readonly usage?: TokenUsage;
  /** `end_turn`, `tool_use`, `max_tokens` … */
  readonly stopReason?: string | null;
  /** The response's `id` (`msg_…`). */
  readonly messageId?: string;
  /** The `request-id` header of the response, for support requests. */
  readonly requestId?: string;
}

interface UsageFields {
  input_tokens?: unknown;
  output_tokens?: unknown;
  cache_read_input_tokens?: unknown;
  cache_creation_input_tokens?: unknown;
}

/** The metadata of a whole (non-streamed) message. */
export function messageMetadata(message: unknown, requestId: string | null): ModelCallMetadata {
  const fields = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  return compact({
    provider: 'anthropic',
    model: stringOrUndefined(fields.model),
    usage: usageOf(fields.usage as UsageFields | undefined),
    stopReason: typeof fields.stop_reason === 'string' || fields.stop_reason === null ? (fields.stop_reason as string | null) : undefined,
    messageId: stringOrUndefined(fields.id),
    requestId: requestId ?? undefined,
  });
}

/**
 * Follows a stream's events to the same metadata: `message_start` carries the model, the id and the
 * input tokens; `message_delta` the stop reason and the final output tokens.
 */
export class StreamMetadata {
  #model: string | undefined;
  #messageId: string | undefined;
  #usage: UsageFields = {};
  #stopReason: string | null | undefined;
  /** Whether the stream reached `message_stop`, i.e. it is complete. */
  stopped = false;

  constructor(readonly requestId: string | null) {}

  observe(event: ServerSentEvent): void {
    const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
    const type = event.event ?? data.type;
    if (type === 'message_start') {
      const message = (data.message ?? {}) as Record<string, unknown>;
      this.#model = stringOrUndefined(message.model);
      this.#messageId = stringOrUndefined(message.id);
      this.#usage = { ...this.#usage, ...((message.usage ?? {}) as UsageFields) };
    } else if (type === 'message_delta') {
      const delta = (data.delta ?? {}) as Record<string, unknown>;
      if (typeof delta.stop_reason === 'string' || delta.stop_reason === null) this.#stopReason = delta.stop_reason as string | null;
      // message_delta's usage is cumulative; fields it leaves out keep their message_start value.
      for (const [key, value] of Object.entries((data.usage ?? {}) as UsageFields)) {
        if (typeof value === 'number') (this.#usage as Record<string, unknown>)[key] = value;
      }
    } else if (type === 'message_stop') {
      this.stopped = true;
    }
  }

  toMetadata(): ModelCallMetadata {
    return compact({
      provider: 'anthropic',
      model: this.#model,
      usage: usageOf(this.#usage),
      stopReason: this.#stopReason,
      messageId: this.#messageId,
      requestId: this.requestId ?? undefined,
    });
  }
}

function usageOf(usage: UsageFields | undefined): ModelCallMetadata['usage'] {
  if (!usage || typeof usage !== 'object') return undefined;
  return tokenUsage({
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cachedInputTokens: usage.cache_read_input_tokens || undefined,
    cacheWriteTokens: usage.cache_creation_input_tokens || undefined,
  });
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
