/** Socket errors that mean the connection went away (or could not be made) rather than a bad statement. */
const socketCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN', 'EAI_AGAIN']);

/** PostgreSQL SQLSTATEs after which the same statement may simply be sent again. */
const retryableStates = new Set([
  '57P01', // admin_shutdown: the backend was terminated (pg_terminate_backend, a restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or in recovery
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected: the transaction was rolled back
]);

/** Messages node-postgres uses (without a code) when a connection died under a query. */
const connectionMessages = ['Connection terminated', 'connection error and is not queryable', 'timeout exceeded when trying to connect', 'Connection closed'];

/**
 * Whether an error from `pg` is worth retrying: the connection was lost or refused, the backend was
 * terminated, or the server was briefly unable to serve. Errors in a statement itself (a constraint, a
 * syntax error, a missing table) are not: sending the statement again would fail the same way.
 */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (socketCodes.has(code) || retryableStates.has(code)) return true;
    // Class 08: connection exceptions.
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && connectionMessages.some((text) => message.includes(text));
}
