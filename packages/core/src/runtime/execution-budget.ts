import type { CheckpointRecord, ExecutionRecord } from '../store/records.js';
import { BudgetInvalidError } from '../errors/budget-invalid-error.js';
import { budgetProblem, type Budget } from './budget.js';

/**
 * Where an execution keeps its budget: the `budget` key of its metadata, set when it is created
 * (run, start, replay), so the Store contract needs no new field and every backend keeps it.
 */
export const budgetMetadataKey = 'budget';

/** The budget an execution was created with, if any. */
export function budgetOf(execution: Pick<ExecutionRecord, 'metadata'>): Budget | undefined {
  const budget = execution.metadata?.[budgetMetadataKey];
  if (typeof budget !== 'object' || budget === null) return undefined;
  const { tokens, usd } = budget as Record<string, unknown>;
  const limits = {
    ...(typeof tokens === 'number' ? { tokens } : {}),
    ...(typeof usd === 'number' ? { usd } : {}),
  };
  return Object.keys(limits).length ? limits : undefined;
}

/**
 * Where a replay keeps the original's id on the records it reused (`reusedFrom` in their metadata):
 * what they cost was spent by the original, not by the replay.
 */
export const reusedFromKey = 'reusedFrom';

/** Whether a record was reused from the execution a replay replays (it was not spent anew). */
export function isReused(record: Pick<CheckpointRecord, 'metadata'>): boolean {
  return typeof record.metadata?.[reusedFromKey] === 'string';
}

/**
 * The metadata a new execution is created with: the caller's labels and, under `budget`, the budget
 * that applies (the caller's, else the flow's). Throws {@link BudgetInvalidError} for a malformed one.
 */
export function executionMetadata(
  flow: { readonly name: string; readonly options: { readonly budget?: Budget } },
  options: { readonly metadata?: Readonly<Record<string, unknown>>; readonly budget?: Budget },
): { metadata?: Readonly<Record<string, unknown>> } {
  const budget = options.budget ?? flow.options.budget;
  if (budget === undefined) return options.metadata !== undefined ? { metadata: options.metadata } : {};
  const problem = budgetProblem(budget);
  if (problem) throw new BudgetInvalidError({ flow: flow.name, problem });
  return { metadata: { ...options.metadata, [budgetMetadataKey]: budget } };
}
