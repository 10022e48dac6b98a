import type { Lease } from '../store/records.js';
import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** Another process holds the execution's lease: running it here would make a second copy of the run. */
export class ExecutionLeasedError extends KeelError {
  readonly executionId: string;
  readonly lease: Lease;

  constructor({ executionId, lease }: { executionId: string; lease: Lease }) {
    const seconds = Math.max(0, Math.ceil((lease.expiresAt - Date.now()) / 1000));
    super(
      `Execution "${executionId}" is being run by another process (${lease.owner}, pid ${lease.pid} on ${lease.host}). ` +
        `Its lease expires in ${seconds}s unless renewed; if that process died, \`recover()\` (or \`keel worker\`) resumes the execution after that.`,
    );
    this.executionId = executionId;
    this.lease = lease;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionLeasedError';

  static override isInstance = isKeelErrorNamed<ExecutionLeasedError>('ExecutionLeasedError');
}
