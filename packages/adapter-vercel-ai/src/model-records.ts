import { storableData, tokenUsage, type TokenUsage } from '@keel/core/adapter';
import type { ModelGenerateResult, StreamPart } from './sdk-shapes.js';

/**
 * The first element of a recorded model stream: what `doStream` resolved with besides the stream
 * (request and response details), so a replay resolves with the same.
 */
export interface StreamHead {
  readonly type: 'keel.stream-head';
  readonly request?: Readonly<Record<string, unknown>>;
  readonly response?: Readonly<Record<string, unknown>>;
}

/** Token usage in core's one spelling (V3/V4 report nested totals, V2 flat numbers). */
export type { TokenUsage };

/**
 * A `doGenerate` result as it is stored: request and response bodies are dropped (they repeat the
 * whole conversation and the raw HTTP answer), everything else is kept; the codec keeps its Dates,
 * bytes and URLs.
 */
export function recordableGenerateResult(result: ModelGenerateResult): Record<string, unknown> {
  const { request, response, ...rest } = result;
  return {
    ...(storableData(rest) as Record<string, unknown>),
    ...(request ? { request: withoutBody(request) } : {}),
    ...(response ? { response: withoutBody(response) } : {}),
  };
}

/** The head of a stream record. */
export function streamHead(result: { readonly request?: Record<string, unknown>; readonly response?: Record<string, unknown> }): StreamHead {
  return {
    type: 'keel.stream-head',
    ...(result.request ? { request: withoutBody(result.request) } : {}),
    ...(result.response ? { response: withoutBody(result.response) } : {}),
  };
}

/** Whether a recorded element is a stream head. */
export function isStreamHead(value: unknown): value is StreamHead {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'keel.stream-head';
}

/**
 * A stream part as it is stored and handed on. Parts are plain data already, except `raw` parts whose
 * `rawValue` is whatever the provider parsed: it is reduced to its JSON form.
 */
export function recordablePart(part: StreamPart): StreamPart {
  if (part.type === 'raw') return { ...part, rawValue: storableData(part['rawValue']) };
  return part;
}

/** Usage and finish reason of a model call, for its record. */
export function callOutcome(source: { readonly usage?: unknown; readonly finishReason?: unknown }): Record<string, unknown> {
  const usage = flatUsage(source.usage);
  const finishReason = unifiedFinishReason(source.finishReason);
  return { ...(usage ? { usage } : {}), ...(finishReason ? { finishReason } : {}) };
}

function flatUsage(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const fields = usage as Record<string, unknown>;
  const input = fields['inputTokens'];
  const output = fields['outputTokens'];
  // V3 (ai 6) and V4 (ai 7): { inputTokens: { total, cacheRead, … }, outputTokens: { total, reasoning, … } }.
  if (typeof input === 'object' || typeof output === 'object') {
    const inputs = (input ?? {}) as Record<string, unknown>;
    const outputs = (output ?? {}) as Record<string, unknown>;
    return tokenUsage({
      inputTokens: numberOrUndefined(inputs['total']),
      outputTokens: numberOrUndefined(outputs['total']),
      totalTokens: sum(numberOrUndefined(inputs['total']), numberOrUndefined(outputs['total'])),
      cachedInputTokens: numberOrUndefined(inputs['cacheRead']),
      reasoningTokens: numberOrUndefined(outputs['reasoning']),
    });
  }
  // V2: flat numbers.
  return tokenUsage({
    inputTokens: numberOrUndefined(input),
    outputTokens: numberOrUndefined(output),
    totalTokens: numberOrUndefined(fields['totalTokens']) ?? sum(numberOrUndefined(input), numberOrUndefined(output)),
    cachedInputTokens: numberOrUndefined(fields['cachedInputTokens']),
    reasoningTokens: numberOrUndefined(fields['reasoningTokens']),
  });
}

function unifiedFinishReason(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  if (typeof reason === 'object' && reason !== null) {
    const unified = (reason as Record<string, unknown>)['unified'];
    if (typeof unified === 'string') return unified;
  }
  return undefined;
}

function withoutBody(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { body: _body, ...rest } = details;
  return storableData(rest) as Record<string, unknown>;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function sum(left: number | undefined, right: number | undefined): number | undefined {
  return left === undefined && right === undefined ? undefined : (left ?? 0) + (right ?? 0);
}
