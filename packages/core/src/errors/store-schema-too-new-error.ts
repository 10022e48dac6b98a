import { KeelError } from './keel-error.js';

/**
 * The store's schema was migrated by a newer Keel than this one, so this code could misread it. Nothing
 * was changed: upgrade this package (every process sharing the store needs the newer version), or use
 * another store.
 */
export class StoreSchemaTooNewError extends KeelError {
  /** Where the store is: a database file, or a database and schema (password hidden). */
  readonly location: string;
  /** The schema version found in the store. */
  readonly version: number;
  /** The newest schema version this package knows. */
  readonly supportedVersion: number;

  constructor({
    store,
    location,
    version,
    supportedVersion,
    recordedIn,
  }: {
    store: string;
    location: string;
    version: number;
    supportedVersion: number;
    recordedIn: string;
  }) {
    super(
      `The Keel ${store} store ${location} has schema version ${version} (see ${recordedIn}), and this ` +
        `@keel/store-${store} knows schema versions up to ${supportedVersion}: a newer Keel migrated it. ` +
        `Upgrade @keel/store-${store} in this project to the version named in ${recordedIn} (every process ` +
        'that shares the store needs it), or point Keel at another store. Keel did not modify the store.',
    );
    this.location = location;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreSchemaTooNewError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance(error: unknown): error is StoreSchemaTooNewError {
    return KeelError.isInstance(error) && error.name === 'StoreSchemaTooNewError';
  }
}
