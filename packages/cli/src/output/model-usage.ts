/** Model id and token counts found in a checkpoint's metadata. */
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
 * Reads what adapters put in a checkpoint's metadata: `model` (or `modelId`), and token usage under
 * `usage` (or `tokens`, or at the top level) in the spellings the providers use (`inputTokens`,
 * `input_tokens`, `promptTokens`, `prompt_tokens`, …). Only what is present is returned.
 */
export function modelUsageOf(metadata: Readonly<Record<string, unknown>> | undefined): ModelUsage | undefined {
  if (!metadata) return undefined;
  const model = [metadata.model, metadata.modelId, metadata.modelName].find((value) => typeof value === 'string') as string | undefined;
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
  const usage = { model, inputTokens: pick(inputNames), outputTokens: pick(outputNames), totalTokens: pick(totalNames) };
  const present = Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined)) as ModelUsage;
  return Object.keys(present).length ? present : undefined;
}

/** `gpt-4o · 1,204 in / 88 out`, with what is known. */
export function formatModelUsage(usage: ModelUsage): string {
  const parts: string[] = [];
  if (usage.model) parts.push(usage.model);
  const number = (value: number) => value.toLocaleString('en-US');
  if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
    const sides = [usage.inputTokens !== undefined ? `${number(usage.inputTokens)} in` : undefined, usage.outputTokens !== undefined ? `${number(usage.outputTokens)} out` : undefined];
    parts.push(`${sides.filter(Boolean).join(' / ')} tokens`);
  } else if (usage.totalTokens !== undefined) parts.push(`${number(usage.totalTokens)} tokens`);
  return parts.join(' · ');
}
