import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * Raised inside a call that outlived its session (a call left blocked at a wait that settled later):
 * nobody awaits it; it only stops the call's work, and nothing of it is recorded.
 */
export class SessionEndedError extends KeelError {
  readonly executionId: string;

  constructor({ executionId }: { executionId: string }) {
    super(`The session of execution "${executionId}" already ended; this late call is not recorded.`);
    this.executionId = executionId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'SessionEndedError';

  static override isInstance = isKeelErrorNamed<SessionEndedError>('SessionEndedError');
}
