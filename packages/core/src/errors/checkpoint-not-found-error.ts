import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** An execution has no checkpoint with this id (given to `replay` as `from` or in `overrides`). */
export class CheckpointNotFoundError extends KeelError {
  readonly executionId: string;
  readonly checkpointId: string;

  constructor({ executionId, checkpointId, known }: { executionId: string; checkpointId: string; known: readonly string[] }) {
    const nearby = closest(checkpointId, known);
    super(
      `Execution "${executionId}" has no checkpoint "${checkpointId}".` +
        (nearby.length ? ` Did you mean ${nearby.map((id) => `"${id}"`).join(' or ')}?` : '') +
        (known.length ? ` Its checkpoints: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}.` : ' It has no checkpoints.'),
    );
    this.executionId = executionId;
    this.checkpointId = checkpointId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'CheckpointNotFoundError';

  static override isInstance = isKeelErrorNamed<CheckpointNotFoundError>('CheckpointNotFoundError');
}

function closest(target: string, candidates: readonly string[]): string[] {
  const base = target.replace(/:\d+$/, '');
  return candidates.filter((id) => id !== target && (id.startsWith(base) || id.endsWith(target))).slice(0, 3);
}
