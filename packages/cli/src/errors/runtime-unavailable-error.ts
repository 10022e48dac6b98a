import { KeelError } from '@keel/core';

/** The `@keel/core` the project uses does not give the CLI access to its default runtime. */
export class RuntimeUnavailableError extends KeelError {
  constructor({ core }: { core: string }) {
    super(
      `The @keel/core at ${core} does not export defaultRuntime(), the runtime flow() registers flows on, ` +
        'so the CLI cannot run them. Install a @keel/core version that matches this keel CLI.',
    );
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'RuntimeUnavailableError';
}
