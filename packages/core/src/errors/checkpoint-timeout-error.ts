import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A checkpoint's function ran longer than its `timeout`; its signal was aborted. */
export class CheckpointTimeoutError extends KeelError {
  readonly checkpointId: string;
  readonly timeoutMs: number;

  constructor({ checkpointId, timeoutMs }: { checkpointId: string; timeoutMs: number }) {
    super(`Checkpoint "${checkpointId}" timed out after ${timeoutMs} ms.`);
    this.checkpointId = checkpointId;
    this.timeoutMs = timeoutMs;
  }

  static override isInstance = isKeelErrorNamed<CheckpointTimeoutError>('CheckpointTimeoutError');
}
