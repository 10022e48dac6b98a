import type { ModelUsage } from '@keel/core';

/** `gpt-4o · 1,204 in / 88 out`, with what is known. */
export function formatModelUsage(usage: ModelUsage): string {
  const parts: string[] = [];
  if (usage.model) parts.push(usage.model);
  const number = (value: number) => value.toLocaleString('en-US');
  if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
    const sides = [
      usage.inputTokens !== undefined ? `${number(usage.inputTokens)} in` : undefined,
      usage.outputTokens !== undefined ? `${number(usage.outputTokens)} out` : undefined,
    ];
    parts.push(`${sides.filter(Boolean).join(' / ')} tokens`);
  } else if (usage.totalTokens !== undefined) parts.push(`${number(usage.totalTokens)} tokens`);
  return parts.join(' · ');
}
