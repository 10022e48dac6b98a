import { KeelError } from '@keel/core';

/** After `keel store copy`, the target's digest of the copied executions differs from the source's. */
export class StoreCopyMismatchError extends KeelError {
  constructor({ source, target, sourceDigest, targetDigest }: { source: string; target: string; sourceDigest: string; targetDigest: string }) {
    super(
      `The copy from ${source} to ${target} does not match: the source's digest is ${sourceDigest}, the target's ${targetDigest}. ` +
        'A record or blob was changed or lost on the way; check the target store (it may not keep every field), and copy again into an empty store.',
    );
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreCopyMismatchError';
}
