import type { ExecutionStatus } from '../store/records.js';
import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** An operation was asked of an execution whose status does not allow it (retry a completed run, …). */
export class ExecutionStateError extends KeelError {
  readonly executionId: string;
  readonly status: ExecutionStatus;
  readonly operation: string;

  constructor({ executionId, status, operation, hint }: { executionId: string; status: ExecutionStatus; operation: string; hint?: string }) {
    super(`Cannot ${operation} execution "${executionId}": it is ${status}.${hint ? ` ${hint}` : ''}`);
    this.executionId = executionId;
    this.status = status;
    this.operation = operation;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionStateError';

  static override isInstance = isKeelErrorNamed<ExecutionStateError>('ExecutionStateError');
}
