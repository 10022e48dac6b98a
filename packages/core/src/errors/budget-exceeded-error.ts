import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * An execution reached its spend budget and the `budget` wait was answered with `approve: false`.
 * Thrown where the next model call would have been made; everything recorded so far is kept.
 */
export class BudgetExceededError extends KeelError {
  readonly executionId: string;
  /** The model call that was not made. */
  readonly checkpointId: string;
  /** What was spent of what budget, as the wait's question said. */
  readonly spent: string;

  constructor({ executionId, checkpointId, spent }: { executionId: string; checkpointId: string; spent: string }) {
    super(
      `Execution "${executionId}" spent ${spent} and the budget was not raised, so model call "${checkpointId}" was not made. ` +
        'Everything recorded so far is kept: replay it with a larger budget to go on.',
    );
    this.executionId = executionId;
    this.checkpointId = checkpointId;
    this.spent = spent;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'BudgetExceededError';

  static override isInstance = isKeelErrorNamed<BudgetExceededError>('BudgetExceededError');
}
