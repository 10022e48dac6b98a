import { KeelError } from '@keel/core';

/** `keel.config.ts` could not be loaded, or what it exports is not a Keel config. */
export class ConfigInvalidError extends KeelError {
  readonly file: string;

  constructor({ file, problem, cause }: { file: string; problem: string; cause?: unknown }) {
    super(`${file}: ${problem}`, cause === undefined ? undefined : { cause });
    this.file = file;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ConfigInvalidError';
}
