import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** An execution was created with an id the store already has (ids are unique). */
export class ExecutionExistsError extends KeelError {
  readonly executionId: string;
  /** The store, as `store.location` names it. */
  readonly location: string;

  constructor({ executionId, location }: { executionId: string; location: string }) {
    super(
      `The execution "${executionId}" already exists in the Keel store ${location}; execution ids are unique. ` +
        'Nothing was changed: start it with a new id, or continue the existing one (`keel executions show` it).',
    );
    this.executionId = executionId;
    this.location = location;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionExistsError';

  static override isInstance = isKeelErrorNamed<ExecutionExistsError>('ExecutionExistsError');
}
