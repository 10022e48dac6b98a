import type { CheckpointInfo } from '@keel/core';
import { costOf, type ModelPrice } from '../model-pricing.js';
import { isCall, usageOf } from './checkpoint-description.js';

/** Calls, model calls and tokens of a set of checkpoints. */
export interface CallTotals {
  readonly calls: number;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The totals of the call checkpoints (model requests and tool calls) among `checkpoints`. */
export function callTotals(checkpoints: readonly CheckpointInfo[]): CallTotals {
  const calls = checkpoints.filter(isCall);
  const models = calls.filter((checkpoint) => checkpoint.kind === 'model');
  return {
    calls: calls.length,
    modelCalls: models.length,
    inputTokens: models.reduce((total, checkpoint) => total + usageOf(checkpoint).inputTokens, 0),
    outputTokens: models.reduce((total, checkpoint) => total + usageOf(checkpoint).outputTokens, 0),
  };
}

/** What the totals' tokens cost at a price (undefined without a price). */
export function totalsCost(totals: CallTotals, price: ModelPrice | undefined): number | undefined {
  return price ? costOf(price, totals) : undefined;
}
