import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** The execution was cancelled; raised at its next checkpoint and as the reason of its AbortSignal. */
export class ExecutionCancelledError extends KeelError {
  readonly executionId: string;

  constructor({ executionId }: { executionId: string }) {
    super(`Execution "${executionId}" was cancelled.`);
    this.executionId = executionId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionCancelledError';

  static override isInstance = isKeelErrorNamed<ExecutionCancelledError>('ExecutionCancelledError');
}
