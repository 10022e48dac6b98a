import { Usage, type ModelResponse, type StreamEvent } from '@openai/agents';
import { jsonCopy, type TokenUsage } from '@keel/core/adapter';

/** A model response as it is stored: plain JSON (its `Usage` class becomes the class's fields). */
export type StoredModelResponse = Omit<ModelResponse, 'usage'> & { readonly usage: Record<string, unknown> };

/** The stored form of a response. */
export function storeModelResponse(response: ModelResponse): StoredModelResponse {
  return jsonCopy(response) as unknown as StoredModelResponse;
}

/** A response read back from its record: `usage` is a `Usage` again, as the SDK expects. */
export function reviveModelResponse(stored: StoredModelResponse): ModelResponse {
  return { ...stored, usage: new Usage(stored.usage) } as ModelResponse;
}

/** The token usage of a response, as Keel's records carry it. */
export function usageOf(usage: { inputTokens?: unknown; outputTokens?: unknown } | undefined): Required<Pick<TokenUsage, 'inputTokens' | 'outputTokens'>> {
  return { inputTokens: numberOr0(usage?.inputTokens), outputTokens: numberOr0(usage?.outputTokens) };
}

/** The model id a response reports (OpenAI's responses carry it in `providerData.model`). */
export function reportedModel(providerData: unknown): string | undefined {
  const model = (providerData as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : undefined;
}

/** The stored form of one stream event (plain JSON, as the replay will hand it out). */
export function storeStreamEvent(event: StreamEvent): StreamEvent {
  return jsonCopy(event);
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
