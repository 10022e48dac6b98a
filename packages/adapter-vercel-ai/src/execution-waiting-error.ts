import { KeelError, type PendingWait } from '@keel/core';

/**
 * A durable agent called outside a flow stopped at a wait (a tool approval, a question to a person):
 * the run is stored as `waiting` and there is no result yet. Give the input, then call the agent
 * again with the same arguments (or resume the execution) to continue where it stopped.
 */
export class ExecutionWaitingError extends KeelError {
  readonly executionId: string;
  readonly waits: readonly PendingWait[];

  constructor({ executionId, waits }: { executionId: string; waits: readonly PendingWait[] }) {
    const names = waits.map((wait) => `"${wait.id}"${wait.question ? ` (${wait.question})` : ''}`).join(', ');
    const first = waits[0];
    super(
      `The agent run (execution "${executionId}") is waiting for input at ${names || 'a wait'}. ` +
        (first
          ? `Answer it, e.g. \`keel executions input ${executionId} ${first.name} '<json>'\` or \`runtime.executions.input('${executionId}', '${first.name}', value)\`, `
          : 'Answer it, ') +
        'then call the agent again with the same arguments to continue the run; finished calls are not repeated.',
    );
    this.executionId = executionId;
    this.waits = waits;
  }

  /** True for this error from any copy of the package. */
  static override isInstance(error: unknown): error is ExecutionWaitingError {
    return KeelError.isInstance(error) && error.name === 'ExecutionWaitingError';
  }
}
