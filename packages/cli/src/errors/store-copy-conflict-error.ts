import { KeelError } from '@keel/core';

/** `keel store copy` found executions in the target store with the ids of executions it would copy. */
export class StoreCopyConflictError extends KeelError {
  readonly executionIds: readonly string[];

  constructor({ target, executionIds }: { target: string; executionIds: readonly string[] }) {
    const shown = executionIds.slice(0, 10).join(', ') + (executionIds.length > 10 ? ` and ${executionIds.length - 10} more` : '');
    super(
      `The target store ${target} already has ${executionIds.length === 1 ? 'an execution' : `${executionIds.length} executions`} with the same id as the source: ${shown}. ` +
        'Nothing was copied. Add --skip-existing to copy only the others, or copy into an empty store.',
    );
    this.executionIds = executionIds;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreCopyConflictError';
}
