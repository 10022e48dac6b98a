import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A flow version was deployed before with other content: deployments are immutable. Nothing was changed. */
export class DeploymentConflictError extends KeelError {
  readonly flow: string;
  readonly version: string;

  constructor({ flow, version, deployedAt }: { flow: string; version: string; deployedAt: number }) {
    super(
      `Version "${version}" of flow "${flow}" was deployed on ${new Date(deployedAt).toISOString()} with other code or ` +
        'another input schema, and deployments are immutable: nothing was changed. Deploy the new code under a new ' +
        'version (set codeVersion or KEEL_CODE_VERSION, e.g. to the git commit).',
    );
    this.flow = flow;
    this.version = version;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'DeploymentConflictError';

  static override isInstance = isKeelErrorNamed<DeploymentConflictError>('DeploymentConflictError');
}
