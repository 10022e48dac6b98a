import { KeelError } from '@keel/core';

/**
 * The PostgreSQL server could not be reached (or kept dropping the connection) for longer than the
 * store's `retryFor`. Nothing was lost: what did not reach the server was not reported as written.
 */
export class StoreUnavailableError extends KeelError {
  /** The database and schema (password hidden). */
  readonly location: string;
  /** What the store was doing (`putCheckpoint`, `open` …). */
  readonly operation: string;
  /** How long the store kept retrying, in ms. */
  readonly retriedFor: number;

  constructor({ location, operation, retriedFor, cause }: { location: string; operation: string; retriedFor: number; cause: unknown }) {
    super(
      `The Keel PostgreSQL store ${location} did not answer ${operation} for ${Math.round(retriedFor / 1000)} s ` +
        `(last error: ${describe(cause)}). Check that the server runs and accepts connections from this machine ` +
        '(host, port, credentials in the URL), then run the operation again; raise `retryFor` to ride out longer restarts.',
      { cause },
    );
    this.location = location;
    this.operation = operation;
    this.retriedFor = retriedFor;
  }

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance(error: unknown): error is StoreUnavailableError {
    return KeelError.isInstance(error) && error.name === 'StoreUnavailableError';
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}
