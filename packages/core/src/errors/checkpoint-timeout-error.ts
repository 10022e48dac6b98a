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

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'CheckpointTimeoutError';

  static override isInstance = isKeelErrorNamed<CheckpointTimeoutError>('CheckpointTimeoutError');
}
