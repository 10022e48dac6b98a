import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A store URL names a backend whose package (`@keel/store-sqlite`, `@keel/store-postgres`) is not installed. */
export class StorePackageMissingError extends KeelError {
  /** The store URL (password hidden). */
  readonly url: string;
  /** The package to install. */
  readonly packageName: string;

  constructor({ url, packageName, cause }: { url: string; packageName: string; cause?: unknown }) {
    super(
      `The store URL "${url}" needs the package ${packageName}, which this project does not have: install it in your project (npm install ${packageName}, or pnpm add ${packageName}).`,
      { cause },
    );
    this.url = url;
    this.packageName = packageName;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StorePackageMissingError';

  static override isInstance = isKeelErrorNamed<StorePackageMissingError>('StorePackageMissingError');
}
