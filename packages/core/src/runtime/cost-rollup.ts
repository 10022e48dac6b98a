import type { CheckpointRecord } from '../store/records.js';
import type { Spend } from './budget.js';
import { isReused } from './execution-budget.js';
import { costOfModelCall } from './model-cost.js';
import { modelUsageOf } from './model-usage.js';

/**
 * What an execution's model calls cost, in total and per subtree of its checkpoint tree (a tool that
 * runs an agent of another harness is a subtree: its entry says what that inner agent cost).
 */
export interface CostRollup {
  /** Every model call of the execution. */
  readonly total: Spend;
  /** Calls made live in this execution (in any of its sessions). */
  readonly spent: Spend;
  /** Calls a replay reused from its original: recorded there, not paid for again. */
  readonly reused: Spend;
  /** Per checkpoint id: the model calls at or below it. Only checkpoints with model calls below them appear. */
  readonly byCheckpoint: Readonly<Record<string, Spend>>;
}

const nothing: Spend = { tokens: 0, usd: 0, calls: 0, unpricedCalls: 0 };

/**
 * Rolls up the costs of an execution's checkpoint records: each model call's recorded cost (or an
 * estimate at today's list price for records older than recorded costs), its tokens, and whether it
 * was reused. Calls of unknown price count their tokens and are counted in `unpricedCalls`.
 */
export async function costRollup(records: readonly Pick<CheckpointRecord, 'id' | 'kind' | 'metadata'>[]): Promise<CostRollup> {
  let total = nothing;
  let spent = nothing;
  let reused = nothing;
  const byCheckpoint: Record<string, Spend> = {};
  for (const record of records) {
    // An overridden output was written by a person: no model spent anything on it.
    if (record.kind !== 'model' || record.metadata?.overridden === true) continue;
    const usage = modelUsageOf(record.metadata);
    if (!usage) continue;
    const cost = await costOfModelCall(record.metadata);
    const call: Spend = { tokens: usage.totalTokens ?? 0, usd: cost.usd ?? 0, calls: 1, unpricedCalls: cost.usd === null ? 1 : 0 };
    total = addSpend(total, call);
    if (isReused(record)) reused = addSpend(reused, call);
    else spent = addSpend(spent, call);
    // Checkpoint ids are paths (`agent:1/tool:x/model:2`): each prefix is an ancestor.
    const segments = record.id.split('/');
    for (let depth = 1; depth <= segments.length; depth++) {
      const id = segments.slice(0, depth).join('/');
      byCheckpoint[id] = addSpend(byCheckpoint[id] ?? nothing, call);
    }
  }
  return { total, spent, reused, byCheckpoint };
}

/** The sum of two spends. */
export function addSpend(left: Spend, right: Spend): Spend {
  return {
    tokens: left.tokens + right.tokens,
    usd: left.usd + right.usd,
    calls: left.calls + right.calls,
    unpricedCalls: left.unpricedCalls + right.unpricedCalls,
  };
}
