import { KeelError } from '@keel/core';

/**
 * `keel store copy` found executions in the target store with the ids of executions it would copy, or
 * deployments or tags that differ from the source's. Nothing was copied.
 */
export class StoreCopyConflictError extends KeelError {
  readonly executionIds: readonly string[];
  /** Deployments and tags the target has with other content, as `deployment <flow> <version> (…)` / `tag <flow> <tag> (…)`. */
  readonly deployments: readonly string[];

  constructor({ target, executionIds = [], deployments = [] }: { target: string; executionIds?: readonly string[]; deployments?: readonly string[] }) {
    const shown = executionIds.slice(0, 10).join(', ') + (executionIds.length > 10 ? ` and ${executionIds.length - 10} more` : '');
    super(
      executionIds.length > 0
        ? `The target store ${target} already has ${executionIds.length === 1 ? 'an execution' : `${executionIds.length} executions`} with the same id as the source: ${shown}. ` +
            'Nothing was copied. Add --skip-existing to copy only the others, or copy into an empty store.'
        : `The target store ${target} has deployments or tags that differ from the source's: ${deployments.join('; ')}. Nothing was copied. ` +
            'A deployed version is immutable: remove it from one side (keel versions remove) first; a tag the target points elsewhere is kept with --skip-existing.',
    );
    this.executionIds = executionIds;
    this.deployments = deployments;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreCopyConflictError';
}
