import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A hermetic replay reached a call that has no record: it would have run live. */
export class ReplayMissError extends KeelError {
  readonly executionId: string;
  readonly checkpointId: string;
  readonly kind: string;

  constructor({ executionId, checkpointId, kind }: { executionId: string; checkpointId: string; kind: string }) {
    super(
      `Hermetic replay "${executionId}" reached ${kind} call "${checkpointId}", which has no record. ` +
        'The code makes a call the original run did not make (or the replay starts after it). ' +
        'Replay with `hermetic: false` to run such calls live, or give an override for this checkpoint.',
    );
    this.executionId = executionId;
    this.checkpointId = checkpointId;
    this.kind = kind;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ReplayMissError';

  static override isInstance = isKeelErrorNamed<ReplayMissError>('ReplayMissError');
}
