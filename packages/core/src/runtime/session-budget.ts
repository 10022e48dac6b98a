import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { loadPayload } from '../serialization/payloads.js';
import type { CheckpointRecord, ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { budgetDecisionSchema, budgetReached, budgetWaitName, describeSpend, raiseBudget, type Budget, type BudgetDecision, type Spend } from './budget.js';
import { budgetOf, isReused } from './execution-budget.js';
import { addSpend } from './cost-rollup.js';
import { costOfModelCall } from './model-cost.js';
import { modelUsageOf } from './model-usage.js';
import type { Scope } from './scope.js';
import type { WaitOptions } from './types.js';

type OpenWait = (scope: Scope, name: string, options: WaitOptions<typeof budgetDecisionSchema>) => Promise<BudgetDecision>;

/**
 * The spend budget of one session's execution. It counts what model calls made live in this execution
 * spent (earlier sessions' included; calls a replay reused from its original cost nothing here), and
 * stands before each live model call: at the budget, it opens the durable wait `budget` instead of
 * letting the call be made. Approvals raise the budget for the rest of the execution; what they added
 * is read back from the answered waits, so a crash anywhere loses no raise and counts none twice.
 */
export class SessionBudget {
  readonly #executionId: string;
  readonly #store: Store;
  #budget: Budget | undefined;
  #spent: Spend = { tokens: 0, usd: 0, calls: 0, unpricedCalls: 0 };
  /** Budget waits whose `add` is already in `#budget`. */
  readonly #raisedBy = new Set<string>();
  readonly #ready: Promise<void>;

  constructor(store: Store, execution: ExecutionRecord, records: readonly CheckpointRecord[]) {
    this.#executionId = execution.id;
    this.#store = store;
    this.#budget = budgetOf(execution);
    // Nothing to read when there is no budget: executions without one pay nothing for this.
    this.#ready = this.#budget ? this.#readRecords(records) : Promise.resolve();
    this.#ready.catch(() => {}); // Surfaced by the first check.
  }

  async #readRecords(records: readonly CheckpointRecord[]): Promise<void> {
    for (const record of records) {
      // A replay's copies of the original's records were spent, and answered, there.
      if (isReused(record)) continue;
      if (record.kind === 'model') await this.spend(record);
      if (record.kind === 'wait' && record.name === budgetWaitName && record.status === 'completed' && record.output) {
        const decision = budgetDecisionSchema.safeParse(await loadPayload(this.#store, record.output));
        if (decision.success) this.#raise(record.id, decision.data);
      }
    }
  }

  /** Counts a model call made live in this execution. */
  async spend(record: CheckpointRecord): Promise<void> {
    const usage = modelUsageOf(record.metadata);
    if (!usage) return;
    const cost = await costOfModelCall(record.metadata);
    this.#spent = addSpend(this.#spent, { tokens: usage.totalTokens ?? 0, usd: cost.usd ?? 0, calls: 1, unpricedCalls: cost.usd === null ? 1 : 0 });
  }

  /**
   * Before the live model call `checkpointId` in `scope`: returns at once under the budget; at it,
   * waits for a decision (the session suspends until one arrives) and returns when it approves, or
   * throws {@link BudgetExceededError} when it does not.
   */
  async beforeLiveCall(scope: Scope, checkpointId: string, openWait: OpenWait): Promise<void> {
    await this.#ready;
    if (!this.#budget || !budgetReached(this.#budget, this.#spent)) return;
    const spent = describeSpend(this.#budget, this.#spent);
    // Keyed by the call it stands before, so each call over budget has its own question and a
    // resumed session finds the same wait for the same call, whatever ran before it.
    const key = checkpointId.slice(checkpointId.lastIndexOf('/') + 1);
    const waitId = scope.checkpointId === null ? `${budgetWaitName}:${key}` : `${scope.checkpointId}/${budgetWaitName}:${key}`;
    const decision = await openWait(scope, budgetWaitName, {
      key,
      // Not a position in the call order: the calls around it keep theirs, reused or not.
      ordered: false,
      schema: budgetDecisionSchema,
      question:
        `This execution has spent ${spent} on ${this.#spent.calls} model call${this.#spent.calls === 1 ? '' : 's'}. ` +
        `Make model call "${checkpointId}"? Approve (optionally adding tokens or usd to the budget) or reject to fail the execution.`,
      metadata: { checkpointId, budget: this.#budget, spent: this.#spent },
    });
    this.#raise(waitId, decision);
    if (!decision.approve) throw new BudgetExceededError({ executionId: this.#executionId, checkpointId, spent });
  }

  #raise(waitId: string, decision: BudgetDecision): void {
    if (this.#raisedBy.has(waitId)) return;
    this.#raisedBy.add(waitId);
    if (decision.approve && this.#budget) this.#budget = raiseBudget(this.#budget, decision.add);
  }
}
