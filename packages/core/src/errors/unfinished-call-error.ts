import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * An `at-most-once` call was started before and never finished (the process died during it). Keel does
 * not run it again by itself: the execution waits for a decision (`rerun` or `skip`).
 */
export class UnfinishedCallError extends KeelError {
  readonly executionId: string;
  readonly checkpointId: string;

  constructor({ executionId, checkpointId }: { executionId: string; checkpointId: string }) {
    super(
      `The at-most-once call "${checkpointId}" of execution "${executionId}" started earlier and never finished; ` + 'it may or may not have taken effect.',
    );
    this.executionId = executionId;
    this.checkpointId = checkpointId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'UnfinishedCallError';

  static override isInstance = isKeelErrorNamed<UnfinishedCallError>('UnfinishedCallError');
}
