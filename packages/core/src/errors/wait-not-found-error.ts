import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** No wait of the execution matches the given name or id (or it is no longer pending). */
export class WaitNotFoundError extends KeelError {
  readonly executionId: string;
  readonly wait: string;
  readonly pending: readonly string[];

  constructor({ executionId, wait, pending, reason }: { executionId: string; wait: string; pending: readonly string[]; reason?: string }) {
    super(
      `Execution "${executionId}" has no pending wait "${wait}"${reason ? ` (${reason})` : ''}. ` +
        (pending.length ? `Pending waits: ${pending.join(', ')}.` : 'It has no pending waits.'),
    );
    this.executionId = executionId;
    this.wait = wait;
    this.pending = pending;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'WaitNotFoundError';

  static override isInstance = isKeelErrorNamed<WaitNotFoundError>('WaitNotFoundError');
}
