import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A wait's timeout passed with no input. Thrown inside the flow by `wait()`, so the flow can decide. */
export class WaitTimeoutError extends KeelError {
  readonly executionId: string;
  readonly waitId: string;

  constructor({ executionId, waitId }: { executionId: string; waitId: string }) {
    super(`Wait "${waitId}" of execution "${executionId}" timed out with no input.`);
    this.executionId = executionId;
    this.waitId = waitId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'WaitTimeoutError';

  static override isInstance = isKeelErrorNamed<WaitTimeoutError>('WaitTimeoutError');
}
