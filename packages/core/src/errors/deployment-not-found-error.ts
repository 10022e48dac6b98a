import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** No deployed version of a flow matches a version or tag that was asked for. */
export class DeploymentNotFoundError extends KeelError {
  readonly flow: string;
  /** What was asked for: `version v7` or `tag prod`. */
  readonly wanted: { readonly version: string } | { readonly tag: string };
  /** The versions (or tags) that do exist, for the message and for "did you mean". */
  readonly known: readonly string[];

  constructor({ flow, wanted, known }: { flow: string; wanted: { version: string } | { tag: string }; known: readonly string[] }) {
    const what = 'version' in wanted ? `version "${wanted.version}"` : `tag "${wanted.tag}"`;
    const kind = 'version' in wanted ? 'versions' : 'tags';
    super(
      `Flow "${flow}" has no deployed ${what}` +
        (known.length ? ` (deployed ${kind}: ${known.join(', ')}).` : ` (it has no ${kind}).`) +
        ('version' in wanted ? ' Deploy it first with `keel deploy`.' : ' Point the tag at a version with `keel deploy --tag`.'),
    );
    this.flow = flow;
    this.wanted = wanted;
    this.known = known;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'DeploymentNotFoundError';

  static override isInstance = isKeelErrorNamed<DeploymentNotFoundError>('DeploymentNotFoundError');
}
