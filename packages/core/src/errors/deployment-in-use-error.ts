import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A deployed version cannot be removed while executions of it are unfinished or tags point to it. */
export class DeploymentInUseError extends KeelError {
  readonly flow: string;
  readonly version: string;
  /** Unfinished executions of the version, by status. */
  readonly unfinished: Readonly<Record<string, number>>;
  /** Tags that point to the version. */
  readonly tags: readonly string[];

  constructor({ flow, version, unfinished, tags }: { flow: string; version: string; unfinished: Record<string, number>; tags: readonly string[] }) {
    const counts = Object.entries(unfinished).map(([status, count]) => `${count} ${status}`);
    super(
      `Version "${version}" of flow "${flow}" is still in use (${[...counts, ...tags.map((tag) => `tag "${tag}"`)].join(', ')}); ` +
        'nothing was removed. Let its executions finish (a worker of that version runs them) or cancel them, and move ' +
        'its tags to another version, then remove it.',
    );
    this.flow = flow;
    this.version = version;
    this.unfinished = unfinished;
    this.tags = tags;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'DeploymentInUseError';

  static override isInstance = isKeelErrorNamed<DeploymentInUseError>('DeploymentInUseError');
}
