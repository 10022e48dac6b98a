import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** An execution has no artifact with this name. */
export class ArtifactNotFoundError extends KeelError {
  readonly executionId: string;
  readonly artifact: string;

  constructor({ executionId, artifact, known }: { executionId: string; artifact: string; known: readonly string[] }) {
    super(`Execution "${executionId}" has no artifact "${artifact}". ` + (known.length ? `Its artifacts: ${known.join(', ')}.` : 'It has no artifacts.'));
    this.executionId = executionId;
    this.artifact = artifact;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ArtifactNotFoundError';

  static override isInstance = isKeelErrorNamed<ArtifactNotFoundError>('ArtifactNotFoundError');
}
