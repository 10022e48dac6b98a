import { StoreCorruptedError } from '../errors/store-corrupted-error.js';

/**
 * A record read back from a database row, checked before a store hands it out, for stores that keep
 * each record as JSON in a row (SQLite, PostgreSQL). `stored` is the row's JSON text, or the value a
 * driver already parsed. It must be an object holding every field of `key`, equal to the value given
 * (a field given as `undefined` need only be present): a row edited by hand, or garbled, fails here
 * with a {@link StoreCorruptedError} naming `row`, instead of reaching the runtime as a wrong record.
 *
 * @param row where the row is, for the error: the store, the table and what the row was read for,
 *   e.g. `sqlite:keel.db, table keel_executions, id "ex-1"`.
 */
export function recordFromRow<T>(stored: unknown, row: string, key: Readonly<Record<string, string | number | undefined>>): T {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch (error) {
      throw corrupted(row, `its record is not JSON: ${(error as Error).message}`, error);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw corrupted(row, `its record is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object`);
  }
  const record = value as Record<string, unknown>;
  for (const [field, expected] of Object.entries(key)) {
    const actual = record[field];
    if (typeof actual !== 'string' && typeof actual !== 'number') throw corrupted(row, `its record has no "${field}"`);
    if (expected !== undefined && actual !== expected) {
      throw corrupted(row, `its record's "${field}" is ${JSON.stringify(actual)}, the row's is ${JSON.stringify(expected)}`);
    }
  }
  return record as T;
}

function corrupted(row: string, detail: string, cause?: unknown): StoreCorruptedError {
  return new StoreCorruptedError({
    location: row,
    detail,
    remedy: 'Restore the row from a backup, or delete it to drop what it held, then try again.',
    ...(cause === undefined ? {} : { cause }),
  });
}
