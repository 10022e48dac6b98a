import type { ModelCost } from './model-cost.js';

/**
 * Token counts of one model call, in the one spelling every adapter records (under the `usage` key
 * of a model checkpoint's metadata). Each count is present only when the provider reported it.
 */
export interface TokenUsage {
  /** Prompt tokens, cached ones included. */
  readonly inputTokens?: number;
  /** Completion tokens, reasoning ones included. */
  readonly outputTokens?: number;
  /** Input plus output, as the provider (or the adapter) summed them. */
  readonly totalTokens?: number;
  /** Prompt tokens read from the provider's prompt cache. */
  readonly cachedInputTokens?: number;
  /** Prompt tokens written to the provider's prompt cache (Anthropic). */
  readonly cacheWriteTokens?: number;
  /** Output tokens spent on reasoning. */
  readonly reasoningTokens?: number;
}

/**
 * The metadata of a model call's checkpoint record: the one shape adapters write and surfaces read.
 * Adapters add their own small fields beside these (an agent's name, a stop reason, a request id).
 */
export interface ModelCall {
  /** The model that answered: its id, or the AI SDK's `{ provider, modelId }`. */
  readonly model?: string | { readonly provider?: string; readonly modelId: string };
  /** The provider, where the adapter knows it apart from the model (`anthropic`). */
  readonly provider?: string;
  /** Token counts. */
  readonly usage?: TokenUsage;
  /** Why the model stopped (`stop`, `tool-calls`, `end_turn` …). */
  readonly finishReason?: string;
  /** The estimated cost at list price; core adds it when the call completes (adapters do not set it). */
  readonly cost?: ModelCost;
}

/** The model id and token counts of a model call, as surfaces show them. */
export interface ModelUsage extends TokenUsage {
  readonly model?: string;
}

const tokenFields = ['inputTokens', 'outputTokens', 'totalTokens', 'cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;

/**
 * A {@link TokenUsage} from counts a provider reported: counts that are missing, not numbers or not
 * finite are left out; `undefined` when none is left.
 */
export function tokenUsage(counts: { readonly [Field in keyof TokenUsage]?: unknown }): TokenUsage | undefined {
  const usage: Record<string, number> = {};
  for (const field of tokenFields) {
    const count = counts[field];
    if (typeof count === 'number' && Number.isFinite(count)) usage[field] = count;
  }
  return Object.keys(usage).length ? usage : undefined;
}

/**
 * Reads the model id and token usage of a checkpoint's metadata written in the {@link ModelCall}
 * shape. `totalTokens` is input plus output when the record has no total. `undefined` when the
 * metadata names no model and counts no tokens (a tool call, a step).
 */
export function modelUsageOf(metadata: Readonly<Record<string, unknown>> | undefined): ModelUsage | undefined {
  if (!metadata) return undefined;
  const call = metadata as ModelCall;
  const model = (typeof call.model === 'string' ? call.model : isRecord(call.model) ? call.model.modelId : undefined) ?? legacyModel(metadata);
  const counts = (isRecord(call.usage) ? tokenUsage(call.usage) : undefined) ?? legacyCounts(metadata);
  const summed =
    counts && counts.totalTokens === undefined && (counts.inputTokens !== undefined || counts.outputTokens !== undefined)
      ? { totalTokens: (counts.inputTokens ?? 0) + (counts.outputTokens ?? 0) }
      : {};
  const usage = { ...(typeof model === 'string' && model.length > 0 ? { model } : {}), ...counts, ...summed };
  return Object.keys(usage).length ? usage : undefined;
}

/**
 * Records written before adapters shared one spelling named the model `modelId`, `responseModelId` or
 * `modelName`, and counted tokens under `usage`, `tokens` or at the top level, in camel or snake case
 * (`input_tokens`, `promptTokens` …). They are read here so that surfaces still show what old runs used.
 */
const legacyTokenNames: Readonly<Record<'inputTokens' | 'outputTokens' | 'totalTokens', readonly string[]>> = {
  inputTokens: ['inputTokens', 'input_tokens', 'promptTokens', 'prompt_tokens'],
  outputTokens: ['outputTokens', 'output_tokens', 'completionTokens', 'completion_tokens'],
  totalTokens: ['totalTokens', 'total_tokens'],
};

function legacyModel(metadata: Readonly<Record<string, unknown>>): string | undefined {
  return [metadata.modelId, metadata.responseModelId, metadata.modelName].find((candidate): candidate is string => typeof candidate === 'string');
}

function legacyCounts(metadata: Readonly<Record<string, unknown>>): TokenUsage | undefined {
  const sources = [metadata.usage, metadata.tokens, metadata].filter(isRecord);
  const pick = (names: readonly string[]) => {
    for (const source of sources) for (const name of names) if (typeof source[name] === 'number') return source[name];
    return undefined;
  };
  return tokenUsage({
    inputTokens: pick(legacyTokenNames.inputTokens),
    outputTokens: pick(legacyTokenNames.outputTokens),
    totalTokens: pick(legacyTokenNames.totalTokens),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
