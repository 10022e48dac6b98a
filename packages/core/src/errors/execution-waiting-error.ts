import type { PendingWait } from '../runtime/types.js';
import { KeelError } from './keel-error.js';

const waitingMarker = Symbol.for('keel.error.execution-waiting');

/**
 * A durable call made outside a flow (an agent run wrapped in one line) stopped at a wait — a tool
 * approval, a question to a person, a decision on an interrupted at-most-once call. The execution is
 * stored as `waiting` and there is no result yet: give the input (CLI, HTTP, MCP or
 * `runtime.executions.input`), then make the same call again (or resume the execution) to continue
 * where it stopped; finished calls are not repeated. Adapters may subclass it (keeping
 * `ExecutionWaitingError.isInstance` true) to add what their harness names.
 */
export class ExecutionWaitingError extends KeelError {
  private readonly [waitingMarker] = true;
  /** The execution that waits. */
  readonly executionId: string;
  /** The open waits, with their ids, questions and JSON Schemas. */
  readonly waits: readonly PendingWait[];

  constructor({ executionId, waits, subject = 'The run' }: { executionId: string; waits: readonly PendingWait[]; subject?: string }) {
    const names = waits.map((wait) => `"${wait.id}"${wait.question ? ` (${wait.question})` : ''}`).join(', ');
    const first = waits[0];
    const input = first?.metadata?.['kind'] === 'tool-approval' || first?.name.startsWith('approve_') ? `'{"approve":true}'` : `'<json>'`;
    super(
      `${subject} (execution "${executionId}") is waiting for input at ${names || 'a wait'}. ` +
        (first
          ? `Answer it, e.g. \`keel executions input ${executionId} ${first.id} ${input}\` or \`runtime.executions.input('${executionId}', '${first.id}', value)\`, `
          : 'Answer it, ') +
        'then make the same call again to continue; finished calls are not repeated.',
    );
    this.executionId = executionId;
    this.waits = waits;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionWaitingError';

  /** True for this error and its subclasses, from any copy of `@keel/core`. */
  static override isInstance(error: unknown): error is ExecutionWaitingError {
    return KeelError.isInstance(error) && (error as unknown as Record<symbol, unknown>)[waitingMarker] === true;
  }
}
