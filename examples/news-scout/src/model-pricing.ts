import { offlineModelId } from './offline-scout-model.js';

/** A model's list price, in US dollars per million tokens. */
export interface ModelPrice {
  /** The model whose price this is. */
  readonly model: string;
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  /**
   * `true` when the price is not the run's own model's: the offline model is free, so its runs are
   * priced at a real model's list price to show what the same tokens would cost.
   */
  readonly illustration: boolean;
}

/**
 * List prices (USD per million tokens, standard tier, no caching or batch discounts) as the providers
 * published them in 2025. Prices change: check the provider's pricing page before quoting them.
 */
const listPrices: Readonly<Record<string, { readonly input: number; readonly output: number }>> = {
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4-0': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-opus-4-1': { input: 15, output: 75 },
};

/** The real model an offline run's tokens are priced at. */
export const illustrationModel = 'gpt-4.1';

/**
 * The price to show for a model's tokens: its list price when known (a dated id such as
 * `claude-sonnet-4-5-20250929` matches its family), the price of {@link illustrationModel} for the
 * offline model, else `undefined` (then only tokens are shown).
 */
export function priceOf(modelId: string): ModelPrice | undefined {
  if (modelId === offlineModelId) {
    const price = listPrices[illustrationModel]!;
    return { model: illustrationModel, inputPerMillion: price.input, outputPerMillion: price.output, illustration: true };
  }
  const family = Object.keys(listPrices)
    .filter((name) => modelId === name || modelId.startsWith(`${name}-`))
    .sort((left, right) => right.length - left.length)[0];
  if (!family) return undefined;
  const price = listPrices[family]!;
  return { model: family, inputPerMillion: price.input, outputPerMillion: price.output, illustration: false };
}

/** What tokens cost at a price, in US dollars. */
export function costOf(price: ModelPrice, usage: { readonly inputTokens: number; readonly outputTokens: number }): number {
  return (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000;
}
