import { costOfModelCall, modelUsageOf, type CheckpointRecord, type ModelCost } from '@keel/core';

/** Counts and token usage over a set of checkpoints. */
export interface UsageTotals {
  readonly checkpoints: number;
  /** Model, tool and MCP calls (a replay override is not a call: nothing was called). */
  readonly calls: number;
  readonly modelCalls: number;
  /** Tool and MCP calls. */
  readonly toolCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** US dollars at list price over the calls whose model is in the price table; `null` when none is. */
  readonly estimatedCostUsd: number | null;
  /** Models seen without a list price (their tokens are counted, their cost is not). */
  readonly unpricedModels: readonly string[];
}

/** Totals of an execution's checkpoints, plus what failed and how often calls were attempted again. */
export interface ExecutionStats extends UsageTotals {
  readonly failed: number;
  /** Attempts beyond the first, summed over all checkpoints. */
  readonly retries: number;
}

type Recordlike = Pick<CheckpointRecord, 'id' | 'kind' | 'metadata' | 'status' | 'attempts'>;

/** The cost of each model checkpoint by id: recorded with the call, or estimated for older records. */
export type ModelCosts = ReadonlyMap<string, ModelCost>;

/** Reads (or, for records older than recorded costs, estimates) the cost of each model checkpoint. */
export async function modelCosts(records: readonly Recordlike[]): Promise<ModelCosts> {
  const costs = new Map<string, ModelCost>();
  for (const record of records) if (record.kind === 'model') costs.set(record.id, await costOfModelCall(record.metadata));
  return costs;
}

/**
 * Sums calls and tokens. Tokens come from `model` checkpoints only, so a parent that repeats its
 * children's usage is not counted twice, and not from replay overrides, whose output no model produced.
 */
export function usageTotals(records: readonly Recordlike[], costs: ModelCosts): UsageTotals {
  let calls = 0;
  let modelCalls = 0;
  let toolCalls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  let cost: number | null = null;
  const unpriced = new Set<string>();
  for (const record of records) {
    if (record.metadata?.overridden === true) continue;
    if (record.kind === 'model') modelCalls++;
    if (record.kind === 'tool' || record.kind === 'mcp') toolCalls++;
    if (record.kind === 'model' || record.kind === 'tool' || record.kind === 'mcp') calls++;
    if (record.kind !== 'model') continue;
    const usage = modelUsageOf(record.metadata);
    if (!usage) continue;
    inputTokens += usage.inputTokens ?? 0;
    outputTokens += usage.outputTokens ?? 0;
    totalTokens += usage.totalTokens ?? 0;
    const estimate = costs.get(record.id)?.usd ?? null;
    if (estimate !== null) cost = (cost ?? 0) + estimate;
    else if (usage.model) unpriced.add(usage.model);
  }
  return {
    checkpoints: records.length,
    calls,
    modelCalls,
    toolCalls,
    inputTokens,
    outputTokens,
    totalTokens,
    estimatedCostUsd: cost,
    unpricedModels: [...unpriced],
  };
}

/** The statistics of an execution from its checkpoint records. */
export function executionStats(records: readonly Recordlike[], costs: ModelCosts): ExecutionStats {
  return {
    ...usageTotals(records, costs),
    failed: records.filter((record) => record.status === 'failed').length,
    retries: records.reduce((sum, record) => sum + Math.max(0, record.attempts - 1), 0),
  };
}
