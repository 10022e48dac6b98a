import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A flow, run, start or replay was given a budget that is not `{ tokens?, usd? }` with numbers ≥ 0. Nothing was created. */
export class BudgetInvalidError extends KeelError {
  readonly flow: string;
  readonly problem: string;

  constructor({ flow, problem }: { flow: string; problem: string }) {
    super(`The budget for flow "${flow}" was refused: ${problem}. No execution was created; give { tokens?: number, usd?: number } with numbers ≥ 0.`);
    this.flow = flow;
    this.problem = problem;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'BudgetInvalidError';

  static override isInstance = isKeelErrorNamed<BudgetInvalidError>('BudgetInvalidError');
}
