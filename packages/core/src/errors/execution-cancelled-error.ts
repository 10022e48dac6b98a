import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** The execution was cancelled; raised at its next checkpoint and as the reason of its AbortSignal. */
export class ExecutionCancelledError extends KeelError {
  readonly executionId: string;

  constructor({ executionId }: { executionId: string }) {
    super(`Execution "${executionId}" was cancelled.`);
    this.executionId = executionId;
  }

  static override isInstance = isKeelErrorNamed<ExecutionCancelledError>('ExecutionCancelledError');
}
