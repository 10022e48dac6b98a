import { z } from 'zod';

/**
 * A spend limit of one execution: tokens (input plus output, as model checkpoints record them), US
 * dollars at list price (see `estimateModelCost`), or both. Only calls made live count against it.
 */
export interface Budget {
  readonly tokens?: number;
  readonly usd?: number;
}

/** The name of the durable wait an execution opens when it has spent its budget. */
export const budgetWaitName = 'budget';

const amount = z.number().finite().nonnegative();

/** What a person (or service) answers to the `budget` wait: go on, optionally with more to spend, or stop. */
export const budgetDecisionSchema = z
  .object({
    /** `true`: make the call and continue; `false`: fail the execution with `BudgetExceededError`. */
    approve: z.boolean().describe('Make the call and continue (true), or fail the execution (false).'),
    /** Raises the budget by these amounts (from this call on). */
    add: z
      .object({ tokens: amount.optional(), usd: amount.optional() })
      .strict()
      .optional()
      .describe('Raise the budget by these amounts, e.g. {"tokens": 5000} or {"usd": 0.5}.'),
  })
  .strict();

/** An answer to the `budget` wait. */
export type BudgetDecision = z.output<typeof budgetDecisionSchema>;

/** What an execution has spent: tokens, dollars, and model calls whose cost is unknown (no price). */
export interface Spend {
  readonly tokens: number;
  readonly usd: number;
  readonly calls: number;
  readonly unpricedCalls: number;
}

/** Whether `spent` has reached `budget` in any of its limits. */
export function budgetReached(budget: Budget, spent: Spend): boolean {
  return (budget.tokens !== undefined && spent.tokens >= budget.tokens) || (budget.usd !== undefined && spent.usd >= budget.usd);
}

/** A budget raised by an approval's `add`. */
export function raiseBudget(budget: Budget, add: Budget | undefined): Budget {
  if (!add) return budget;
  return {
    ...(budget.tokens !== undefined || add.tokens !== undefined ? { tokens: (budget.tokens ?? 0) + (add.tokens ?? 0) } : {}),
    ...(budget.usd !== undefined || add.usd !== undefined ? { usd: (budget.usd ?? 0) + (add.usd ?? 0) } : {}),
  };
}

/** `200 of 100 tokens, $0.0012 of $0.50` — spent against each limit of a budget. */
export function describeSpend(budget: Budget, spent: Spend): string {
  const parts: string[] = [];
  if (budget.tokens !== undefined) parts.push(`${spent.tokens} of ${budget.tokens} tokens`);
  if (budget.usd !== undefined) parts.push(`$${formatUsd(spent.usd)} of $${formatUsd(budget.usd)}`);
  const unpriced = spent.unpricedCalls ? ` (${spent.unpricedCalls} call${spent.unpricedCalls === 1 ? '' : 's'} of unknown price not in the dollar figure)` : '';
  return `${parts.join(', ')}${unpriced}`;
}

/** Dollars with enough digits to show a fraction of a cent. */
export function formatUsd(usd: number): string {
  return usd >= 1
    ? usd.toFixed(2)
    : usd
        .toPrecision(2)
        .replace(/(\.\d*?)0+$/, '$1')
        .replace(/\.$/, '');
}

/**
 * Checks a budget given by a caller (code, CLI flag, HTTP body): each limit a finite number ≥ 0.
 * Returns a message naming what is wrong, or `undefined`.
 */
export function budgetProblem(budget: unknown): string | undefined {
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) return 'a budget is an object { tokens?, usd? }';
  for (const [key, value] of Object.entries(budget)) {
    if (key !== 'tokens' && key !== 'usd') return `"${key}" is not a budget limit (use tokens or usd)`;
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0))
      return `${key} must be a number ≥ 0, not ${JSON.stringify(value)}`;
  }
  return undefined;
}
