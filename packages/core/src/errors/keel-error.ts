const marker = 'keel.error';
const symbol = Symbol.for(marker);

/**
 * The base of every error Keel raises. `KeelError.isInstance(error)` works across duplicate installs
 * of `@keel/core` (where `instanceof` would not), because it checks a `Symbol.for` marker.
 */
export class KeelError extends Error {
  private readonly [symbol] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Every Keel error declares its name as a string literal (`override readonly name = '…'`), which
    // replaces this fallback: a minifier renames classes, and `isInstance` compares names.
    this.name = new.target.name;
  }

  /** True for any error raised by Keel, from any copy of `@keel/core`. */
  static isInstance(error: unknown): error is KeelError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
  }
}

/**
 * Builds an `isInstance` for a subclass that, like the base one, survives duplicate installs: it
 * compares the error's name as well as the marker.
 */
export function isKeelErrorNamed<T extends KeelError>(name: string) {
  return (error: unknown): error is T => KeelError.isInstance(error) && error.name === name;
}
