import { KeelError } from '@keel/core';

/** No `keel.config.ts` was found where the command looked for one. */
export class ConfigNotFoundError extends KeelError {
  readonly directory: string;

  constructor({ directory, explicit }: { directory: string; explicit?: string }) {
    super(
      explicit !== undefined
        ? `The config file "${explicit}" does not exist. Check the --config path, or run \`keel init\` to create keel.config.ts.`
        : `No keel.config.ts in ${directory} or the folders above it, so there are no flows to run. ` +
            'Run `keel init` here to create one (with an example flow), or pass --config <file>.',
    );
    this.directory = directory;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ConfigNotFoundError';
}
