import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** No execution has this id in the store. */
export class ExecutionNotFoundError extends KeelError {
  readonly executionId: string;

  constructor({ executionId, store }: { executionId: string; store?: string }) {
    super(
      `Execution "${executionId}" was not found${store ? ` in ${store}` : ''}. ` +
        'Check the id (`keel executions list` shows the recent ones) and that you are pointing at the right store.',
    );
    this.executionId = executionId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionNotFoundError';

  static override isInstance = isKeelErrorNamed<ExecutionNotFoundError>('ExecutionNotFoundError');
}
