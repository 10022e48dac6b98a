import { KeelError } from './keel-error.js';

/**
 * The store's schema is older than this package needs (or does not exist yet) and the store was opened
 * with `migrate: false`, so Keel did not change it.
 */
export class StoreSchemaOutdatedError extends KeelError {
  /** Where the store is: a database file, or a database and schema (password hidden). */
  readonly location: string;
  /** The schema version found in the store; 0 when it holds no Keel schema yet. */
  readonly version: number;
  /** The schema version this package needs. */
  readonly supportedVersion: number;

  constructor({ store, location, version, supportedVersion }: { store: string; location: string; version: number; supportedVersion: number }) {
    const found = version === 0 ? 'holds no Keel schema yet' : `has schema version ${version}`;
    super(
      `The Keel ${store} store ${location} ${found}, this @keel/store-${store} needs schema version ` +
        `${supportedVersion}, and it was opened with \`migrate: false\`, so Keel did not modify it. Open it ` +
        'once with migration allowed (the default) to create or migrate the schema; processes running an older ' +
        `@keel/store-${store} on the same store refuse it afterwards, so upgrade them together.`,
    );
    this.location = location;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreSchemaOutdatedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance(error: unknown): error is StoreSchemaOutdatedError {
    return KeelError.isInstance(error) && error.name === 'StoreSchemaOutdatedError';
  }
}
