import { modelUsageOf, type ModelCall, type ModelUsage } from './model-usage.js';

/**
 * The estimated cost of one model call at the provider's list price, as recorded under the `cost` key
 * of a model checkpoint's metadata. `usd` is `null` when the model is not in the price table or the
 * call counted no tokens: the tokens still count, the cost is unknown, never invented.
 */
export interface ModelCost {
  /** US dollars at list price; `null` when unknown. */
  readonly usd: number | null;
  /** The price table entry the call was priced at (`openai/gpt-4o-mini`), when one matched. */
  readonly pricedAs?: string;
  /** The price table that priced it: `@pydantic/genai-prices@<version>` (a kept, versioned package). */
  readonly prices: string;
}

/**
 * The version of the price table, part of every recorded cost so that a figure can be traced to the
 * prices it used. Kept in step with the pinned dependency by a test.
 */
export const priceTable = '@pydantic/genai-prices@0.1.8';

type CalcPrice = typeof import('@pydantic/genai-prices').calcPrice;
let calcPrice: Promise<CalcPrice> | undefined;

/**
 * The price table is 800 kB of data; it is loaded on the first priced call, not when `@keel/core`
 * is imported (flows without model calls never pay for it). It is read from the installed package:
 * nothing is fetched at run time.
 */
function loadCalcPrice(): Promise<CalcPrice> {
  calcPrice ??= import('@pydantic/genai-prices').then((module) => module.calcPrice);
  return calcPrice;
}

/**
 * Estimates what a model call cost at list price, from its model id and token counts
 * (`modelUsageOf(record.metadata)`). Cached prompt tokens and prompt-cache writes are priced as the
 * provider prices them; reasoning tokens are output tokens. A provider prefix in the model id
 * (`openai/gpt-4o`) or a `provider` narrows the match.
 */
export async function estimateModelCost(usage: ModelUsage | undefined, provider?: string): Promise<ModelCost> {
  if (!usage?.model || (usage.inputTokens === undefined && usage.outputTokens === undefined)) return { usd: null, prices: priceTable };
  const { providerId, modelId } = splitModel(usage.model, provider);
  const calc = await loadCalcPrice();
  const counts = {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_read_tokens: usage.cachedInputTokens,
    cache_write_tokens: usage.cacheWriteTokens,
  };
  // A provider the table does not know (a gateway, a test server) must not hide a model it knows.
  const price = (providerId ? calc(counts, modelId, { providerId }) : null) ?? calc(counts, modelId);
  if (!price) return { usd: null, prices: priceTable };
  return { usd: price.total_price, pricedAs: `${price.provider.id}/${price.model.id}`, prices: priceTable };
}

/** `openai/gpt-4o` and `openai:gpt-4o` name their provider; the AI SDK's `openai.chat` is one too. */
function splitModel(model: string, provider: string | undefined): { providerId?: string; modelId: string } {
  const match = /^([\w.-]+)[/:](.+)$/.exec(model);
  const providerId = (match?.[1] ?? provider)?.split('.')[0]?.toLowerCase();
  return { modelId: match?.[2] ?? model, ...(providerId ? { providerId } : {}) };
}

/**
 * The cost of a model checkpoint from its metadata: the one recorded when the call ran, else an
 * estimate at today's list price (records written before costs were recorded).
 */
export async function costOfModelCall(metadata: Readonly<Record<string, unknown>> | undefined): Promise<ModelCost> {
  const recorded = recordedCost(metadata);
  if (recorded) return recorded;
  return estimateCallCost(metadata);
}

/** Estimates a model checkpoint's cost at today's list price from the model, provider and usage in its metadata. */
export function estimateCallCost(metadata: Readonly<Record<string, unknown>> | undefined): Promise<ModelCost> {
  return estimateModelCost(modelUsageOf(metadata), providerOf(metadata));
}

/** The cost a model checkpoint recorded, if it recorded one. */
export function recordedCost(metadata: Readonly<Record<string, unknown>> | undefined): ModelCost | undefined {
  const cost = metadata?.cost as Partial<ModelCost> | undefined;
  if (typeof cost !== 'object' || cost === null || typeof cost.prices !== 'string') return undefined;
  if (cost.usd !== null && (typeof cost.usd !== 'number' || !Number.isFinite(cost.usd))) return undefined;
  return cost as ModelCost;
}

function providerOf(metadata: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const call = metadata as ModelCall | undefined;
  if (typeof call?.provider === 'string') return call.provider;
  return typeof call?.model === 'object' && call.model !== null && typeof call.model.provider === 'string' ? call.model.provider : undefined;
}
