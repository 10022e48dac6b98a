/** Model id and token counts read from a checkpoint's metadata. */
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
 * Reads what adapters put in a checkpoint's metadata: the model id (`model` as a string, or
 * `model.modelId` as the Vercel AI SDK adapter writes it, or `modelId`, `responseModelId`), and token
 * usage under `usage` (or `tokens`, or at the top level) in the providers' spellings. Only what is
 * present is returned; `undefined` when nothing is.
 */
export function modelUsageOf(metadata: Readonly<Record<string, unknown>> | undefined): ModelUsage | undefined {
  if (!metadata) return undefined;
  const nested = typeof metadata.model === 'object' && metadata.model !== null ? (metadata.model as Record<string, unknown>) : {};
  const model = [metadata.model, nested.modelId, metadata.modelId, metadata.responseModelId, metadata.modelName].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  const sources = [metadata.usage, metadata.tokens, metadata].filter((value): value is Record<string, unknown> => typeof value === 'object' && value !== null);
  const pick = (names: readonly string[]) => {
    for (const source of sources) {
      for (const name of names) {
        const value = source[name];
        if (typeof value === 'number' && Number.isFinite(value)) return value;
      }
    }
    return undefined;
  };
  const inputTokens = pick(inputNames);
  const outputTokens = pick(outputNames);
  const totalTokens = pick(totalNames) ?? (inputTokens !== undefined || outputTokens !== undefined ? (inputTokens ?? 0) + (outputTokens ?? 0) : undefined);
  const usage: Record<string, unknown> = { model, inputTokens, outputTokens, totalTokens };
  for (const key of Object.keys(usage)) if (usage[key] === undefined) delete usage[key];
  return Object.keys(usage).length ? (usage as ModelUsage) : undefined;
}
