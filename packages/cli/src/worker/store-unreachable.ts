/** Socket errors that mean a server could not be reached, rather than that it refused what was asked. */
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * Whether an error means the store could not be reached — an outage worth waiting out — rather than
 * that it cannot be opened at all (a missing package, a malformed URL, a schema from a newer Keel), which
 * waiting does not fix. `@keel/store-postgres` reports an outage longer than its own retries as
 * `StoreUnavailableError`; a connection error from a store without such retries is recognised by its
 * socket code anywhere along its causes.
 */
export function isStoreUnreachable(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    typeof current === 'object' && current !== null && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    if ((current as { name?: unknown }).name === 'StoreUnavailableError') return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && connectionCodes.has(code)) return true;
  }
  return false;
}
