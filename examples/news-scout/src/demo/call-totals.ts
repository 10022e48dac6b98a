import { estimateModelCost, priceTable, type CheckpointInfo } from '@keel/core';
import { offlineModelId } from '../offline-scout-model.js';
import { isCall, usageOf } from './checkpoint-description.js';

/** Calls, model calls, tokens and list-price cost of a set of checkpoints. */
export interface CallTotals {
  readonly calls: number;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** US dollars at the list price of {@link CostBasis.model}; `undefined` when the table has no price for it. */
  readonly usd?: number;
}

/** The real model an offline run's tokens are priced at. */
export const illustrationModel = 'gpt-4.1';

/** Which model's list price the cost figures use, and from which price table. */
export interface CostBasis {
  readonly model: string;
  /**
   * `true` when it is not the run's own model: the offline model is free, so its runs are priced at a
   * real model's list price to show what the same tokens would cost.
   */
  readonly illustration: boolean;
  /** The kept price table (`@keel/core`'s `priceTable`). */
  readonly prices: string;
}

/** The cost basis of a run's model. */
export function costBasisOf(modelId: string): CostBasis {
  return modelId === offlineModelId
    ? { model: illustrationModel, illustration: true, prices: priceTable }
    : { model: modelId, illustration: false, prices: priceTable };
}

/**
 * The totals of the call checkpoints (model requests and tool calls) among `checkpoints`, each model
 * call priced on its own (prices can depend on a request's size) at the basis model's list price.
 */
export async function callTotals(checkpoints: readonly CheckpointInfo[], basis: CostBasis): Promise<CallTotals> {
  const calls = checkpoints.filter(isCall);
  const models = calls.filter((checkpoint) => checkpoint.kind === 'model');
  let usd: number | undefined = 0;
  for (const checkpoint of models) {
    const cost = await estimateModelCost({ model: basis.model, ...usageOf(checkpoint) });
    usd = cost.usd === null || usd === undefined ? undefined : usd + cost.usd;
  }
  return {
    calls: calls.length,
    modelCalls: models.length,
    inputTokens: models.reduce((total, checkpoint) => total + usageOf(checkpoint).inputTokens, 0),
    outputTokens: models.reduce((total, checkpoint) => total + usageOf(checkpoint).outputTokens, 0),
    ...(usd !== undefined ? { usd } : {}),
  };
}
