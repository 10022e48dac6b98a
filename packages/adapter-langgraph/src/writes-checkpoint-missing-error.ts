import { KeelError, isKeelErrorNamed } from '@keel/core';

/** LangGraph asked to store a task's writes without saying which checkpoint they belong to. */
export class WritesCheckpointMissingError extends KeelError {
  readonly threadId: string;
  readonly taskId: string;

  constructor({ threadId, taskId }: { threadId: string; taskId: string }) {
    super(
      `KeelCheckpointSaver was asked to store the writes of task "${taskId}" on thread "${threadId}" without a ` +
        'configurable.checkpoint_id. Writes always belong to a checkpoint: pass the config that put() returned.',
    );
    this.threadId = threadId;
    this.taskId = taskId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'WritesCheckpointMissingError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<WritesCheckpointMissingError>('WritesCheckpointMissingError');
}
