import { KeelError } from '@keel/core';

/** The `@keel/core` the project uses does not give the CLI access to its default runtime. */
export class RuntimeUnavailableError extends KeelError {
  constructor({ core, cause }: { core: string; cause?: unknown }) {
    super(
      `The CLI cannot reach the default runtime of @keel/core at ${core}, where flow() registers flows. ` +
        'Install a @keel/core version that matches this keel CLI.',
      cause === undefined ? undefined : { cause },
    );
  }
}
