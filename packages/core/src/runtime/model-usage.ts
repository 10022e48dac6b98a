/** The model id and token counts of a model call, as adapters record them in checkpoint metadata. */
export interface ModelUsage {
  readonly model?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
}

const inputNames = ['inputTokens', 'input_tokens', 'promptTokens', 'prompt_tokens'];
const outputNames = ['outputTokens', 'output_tokens', 'completionTokens', 'completion_tokens'];
const totalNames = ['totalTokens', 'total_tokens'];

/**
 * Reads a model id and token usage from a checkpoint's metadata, in the spellings the adapters and the
 * providers use: the model as `model` (a string, or an object with `modelId`), `modelId`,
 * `responseModelId` or `modelName`; tokens under `usage`, `tokens` or at the top level, in camel or
 * snake case. `undefined` when none is there.
 */
export function modelUsageOf(metadata: Readonly<Record<string, unknown>> | undefined): ModelUsage | undefined {
  if (!metadata) return undefined;
  const nested = isRecord(metadata.model) ? metadata.model : {};
  const model = [metadata.model, nested.modelId, metadata.modelId, metadata.responseModelId, metadata.modelName].find(
    (candidate): candidate is string => typeof candidate === 'string' && candidate.length > 0,
  );
  const sources = [metadata.usage, metadata.tokens, metadata].filter(isRecord);
  const pick = (names: readonly string[]): number | undefined => {
    for (const source of sources) {
      for (const name of names) {
        const count = source[name];
        if (typeof count === 'number' && Number.isFinite(count)) return count;
      }
    }
    return undefined;
  };
  const inputTokens = pick(inputNames);
  const outputTokens = pick(outputNames);
  const totalTokens = pick(totalNames) ?? (inputTokens !== undefined || outputTokens !== undefined ? (inputTokens ?? 0) + (outputTokens ?? 0) : undefined);
  const usage = {
    ...(model !== undefined ? { model } : {}),
    ...(inputTokens !== undefined ? { inputTokens } : {}),
    ...(outputTokens !== undefined ? { outputTokens } : {}),
    ...(totalTokens !== undefined ? { totalTokens } : {}),
  };
  return Object.keys(usage).length ? usage : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
