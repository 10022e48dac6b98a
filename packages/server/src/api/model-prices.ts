import type { ModelUsage } from '@keel/core';

/** A model's list price in US dollars per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

/** When the table below was last checked against the providers' public price pages. */
export const modelPricesAsOf = '2025-11';

/**
 * List prices by model id prefix, USD per million tokens (standard tier, no batch or cache discounts).
 * The longest matching prefix wins, so `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`, not `gpt-4o`.
 * Costs computed from it are estimates: providers change prices, and cached or batched tokens cost less.
 */
export const modelPrices: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-pro': { input: 15, output: 120 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  'o1-pro': { input: 150, output: 600 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o3-pro': { input: 20, output: 80 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
};

const prefixes = Object.keys(modelPrices).sort((a, b) => b.length - a.length);

/** The list price of a model id (a provider prefix such as `openai/` or `models/` is ignored), if known. */
export function priceOf(model: string): ModelPrice | undefined {
  const id = model.toLowerCase().replace(/^.*[/:]/, '');
  const prefix = prefixes.find((candidate) => id === candidate || id.startsWith(`${candidate}-`) || id.startsWith(`${candidate}.`) || id.startsWith(`${candidate}@`));
  return prefix === undefined ? undefined : modelPrices[prefix];
}

/** The estimated cost of one call in US dollars at list price, when its model and token counts are known. */
export function estimatedCostOf(usage: ModelUsage | undefined): number | undefined {
  if (!usage?.model || (usage.inputTokens === undefined && usage.outputTokens === undefined)) return undefined;
  const price = priceOf(usage.model);
  if (!price) return undefined;
  return ((usage.inputTokens ?? 0) * price.input + (usage.outputTokens ?? 0) * price.output) / 1_000_000;
}
