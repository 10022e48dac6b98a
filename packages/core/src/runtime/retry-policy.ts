import { KeelError } from '../errors/keel-error.js';
import type { Backoff } from './types.js';

const nonRetryable = new Set([
  'DivergenceError',
  'SerializationError',
  'ExecutionCancelledError',
  'ReplayMissError',
  'WaitInputInvalidError',
  'UnfinishedCallError',
  'StoreCorruptedError',
  'BlobMissingError',
]);

/** The default `retryOn`: every error except Keel's own that another attempt cannot fix. */
export function isRetryable(error: unknown): boolean {
  return !(KeelError.isInstance(error) && nonRetryable.has(error.name));
}

/** The delay in ms before retry number `retry` (1-based). */
export function backoffDelay(backoff: Backoff | undefined, retry: number, error: unknown): number {
  if (typeof backoff === 'number') return backoff;
  if (typeof backoff === 'function') return Math.max(0, backoff(retry, error));
  const initial = backoff?.initial ?? 500;
  const factor = backoff?.factor ?? 2;
  const max = backoff?.max ?? 30_000;
  const jitter = backoff?.jitter ?? 0;
  const base = Math.min(max, initial * factor ** (retry - 1));
  return Math.max(0, Math.round(base * (1 + jitter * (Math.random() * 2 - 1))));
}
