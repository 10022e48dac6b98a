import { KeelError, isKeelErrorNamed } from '@keel/core';

/**
 * A streamed model call did not end as a complete message: the stream stopped before `message_stop`,
 * or carried an `error` event. Keel records the call as failed rather than as a (partial) result, so
 * `retry` runs it again instead of replaying half an answer.
 */
export class ModelStreamFailedError extends KeelError {
  /** The execution the call belongs to. */
  readonly executionId: string;
  /** The model call's checkpoint (`model:3`). */
  readonly checkpointId: string;
  /** The `error` event's data, when the stream carried one. */
  readonly streamError?: unknown;

  constructor({ executionId, checkpointId, streamError }: { executionId: string; checkpointId: string; streamError?: unknown }) {
    super(
      streamError === undefined
        ? `The model stream of "${checkpointId}" (execution "${executionId}") ended before message_stop. ` +
            'It is recorded as failed; retry the execution to call the model again.'
        : `The model stream of "${checkpointId}" (execution "${executionId}") carried an error event: ${JSON.stringify(streamError)}. ` +
            'It is recorded as failed; retry the execution to call the model again.',
    );
    this.executionId = executionId;
    this.checkpointId = checkpointId;
    if (streamError !== undefined) this.streamError = streamError;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ModelStreamFailedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ModelStreamFailedError>('ModelStreamFailedError');
}
