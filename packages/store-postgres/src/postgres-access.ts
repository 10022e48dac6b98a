import type pg from 'pg';
import { LeaseLostError, recordFromRow } from '@keel/core/store';
import type { ExecutionRecord, LeaseFence } from '@keel/core/store';

/**
 * How the parts of a PostgreSQL store (executions, checkpoints, waits, …) reach the database: the
 * store's retrying runner and its prepared queries, shared so every part retries and names rows alike.
 */
export interface PostgresAccess {
  /**
   * Runs `work` once the schema is ready, retrying transient failures with backoff (`attempt` counts
   * from 1), so a write sent again must be safe to send twice.
   */
  run<T>(operation: string, work: (attempt: number) => Promise<T>): Promise<T>;
  /** A query as a named prepared statement: parsed and planned once per connection. */
  query<R extends pg.QueryResultRow>(name: string, text: string, values: readonly unknown[]): Promise<pg.QueryResult<R>>;
  /** The quoted schema name, for SQL text. */
  readonly schema: string;
  /** The store's location, for errors. */
  readonly location: string;
  /** Names a row for a `StoreCorruptedError`: this store (schema), the table, and what the row was read for. */
  row(table: string, which: string): string;
}

/**
 * The condition of a fenced write, on the `executions` row of the written execution: the fence's owner
 * (parameter `$n`) holds its lease in the fence's session (`$n+1`). `FOR SHARE` locks the row until the
 * write commits, and makes a takeover that committed meanwhile count (the row is checked again in its
 * newest version), so a lease cannot change between the check and the write.
 */
export function leaseHeld(n: number, executionId = '$1'): string {
  return `WHERE id = ${executionId}::text AND lease_owner = $${n}::text AND (record->>'sessions')::integer = $${n + 1}::integer FOR SHARE`;
}

/** An execution row with the id of the write that last changed it (how a retry recognises its own write). */
export async function readExecution(db: PostgresAccess, id: string): Promise<{ record: ExecutionRecord; lastWrite: string | null } | null> {
  const result = await db.query<{ record: ExecutionRecord; version: number; last_write: string | null }>(
    'get_execution',
    `SELECT record, version, last_write FROM ${db.schema}.executions WHERE id = $1`,
    [id],
  );
  const row = result.rows[0];
  if (row === undefined) return null;
  // The version too: updates patch the record in SQL only while it matches its row (see recordIntact).
  const record = recordFromRow<ExecutionRecord>(row.record, db.row('executions', `id "${id}"`), { id, version: row.version });
  return { record, lastWrite: row.last_write };
}

/** The `LeaseLostError` of a refused fenced write, with the execution as it is now. */
export async function leaseLost(db: PostgresAccess, executionId: string, fence: LeaseFence, write: string): Promise<LeaseLostError> {
  const current = (await readExecution(db, executionId))?.record ?? null;
  return new LeaseLostError({ executionId, write, fence, current, store: db.location });
}

/**
 * Runs a fenced write (retrying as {@link PostgresAccess.run} does): its statement inserts only while
 * the lease holds, checked in the statement itself, so no row written means the fence was refused.
 */
export async function fencedWrite(
  db: PostgresAccess,
  operation: string,
  executionId: string,
  fence: LeaseFence,
  write: string,
  statement: (attempt: number) => Promise<{ rowCount: number | null }>,
): Promise<void> {
  await db.run(operation, async (attempt) => {
    if ((await statement(attempt)).rowCount !== 0) return;
    throw await leaseLost(db, executionId, fence, write);
  });
}

// Records are JSON by contract, so a JSON round trip is an exact deep copy that also drops
// `undefined` fields the way storing them does.
export function copy<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
