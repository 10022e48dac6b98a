import type { ErrorRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { loadPayload, storePayload } from '../serialization/payloads.js';

/** Stores an error: its text for people, its full encoded form (cause, fields) for code. */
export async function toErrorRecord(store: Store, error: unknown): Promise<ErrorRecord> {
  const asError = error instanceof Error ? error : new Error(String(error));
  let payload;
  try {
    payload = await storePayload(store, asError, 'error');
  } catch {
    // The error is kept as text even when one of its fields cannot be stored.
  }
  const code = (asError as { code?: unknown }).code;
  return {
    name: asError.name,
    message: asError.message,
    ...(asError.stack !== undefined ? { stack: asError.stack } : {}),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(payload ? { payload } : {}),
  };
}

/** Rebuilds an `Error` from its record: the full form when stored, else name and message. */
export async function fromErrorRecord(store: Store, record: ErrorRecord): Promise<Error> {
  if (record.payload) {
    try {
      const decoded = await loadPayload(store, record.payload);
      if (decoded instanceof Error) return decoded;
    } catch {
      // Fall back to the text below.
    }
  }
  const error = new Error(record.message);
  error.name = record.name;
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}
