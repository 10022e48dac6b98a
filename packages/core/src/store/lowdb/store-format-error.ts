import { KeelError, isKeelErrorNamed } from '../../errors/keel-error.js';

/** A store folder was written in a format this version of Keel cannot read (a newer Keel wrote it). */
export class StoreFormatError extends KeelError {
  /** The `keel-store.json` file that names the format. */
  readonly location: string;
  /** The format version found in the folder. */
  readonly version: number;
  /** The newest format version this Keel reads. */
  readonly supportedVersion: number;

  constructor({ location, version, supportedVersion }: { location: string; version: number; supportedVersion: number }) {
    super(
      `The Keel store ${location} has format version ${version}, and this version of @keel/core reads ` +
        `format ${supportedVersion} at most: a newer Keel wrote it. Upgrade @keel/core, or use another folder. ` +
        'Keel did not modify it.',
    );
    this.location = location;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreFormatError';

  static override isInstance = isKeelErrorNamed<StoreFormatError>('StoreFormatError');
}
