import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A store file (or row) could not be read. Nothing was overwritten. */
export class StoreCorruptedError extends KeelError {
  /** The file, or the store and the table and row, that could not be read. */
  readonly location: string;

  constructor({ location, detail, remedy, cause }: { location: string; detail: string; remedy?: string; cause?: unknown }) {
    super(
      `The Keel store ${location} is corrupted (${detail}). Keel did not modify it. ` +
        (remedy ?? 'Restore it from a backup, or move it aside to drop what it held, then try again.'),
      { cause },
    );
    this.location = location;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreCorruptedError';

  static override isInstance = isKeelErrorNamed<StoreCorruptedError>('StoreCorruptedError');
}
