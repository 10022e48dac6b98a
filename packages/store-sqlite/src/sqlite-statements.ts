import { SqliteDeployments } from './sqlite-deployments.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import type { BlobWrite, CheckpointRecord } from '@keel/core/store';

/** How a {@link SqliteStatements.writeCheckpoints} transaction ended. */
export type CheckpointWriteOutcome = 'written' | 'cancel-requested' | 'lease-lost';

/**
 * The condition of a fenced write: `@fenceOwner` holds the lease of `@executionId` in session
 * `@fenceSession`. Part of the write's own statement, so the lease cannot change between check and write.
 */
const leaseHeld = `EXISTS (
  SELECT 1 FROM keel_executions
  WHERE id = @executionId AND lease_owner = @fenceOwner AND json_extract(record, '$.sessions') = @fenceSession
)`;

/**
 * The statements a {@link Store} runs, prepared once per open file: SQLite then plans each query once,
 * and a checkpoint write costs a few microseconds instead of a parse and plan each time.
 */
export class SqliteStatements {
  readonly insertExecution: SqliteStatement;
  readonly getExecution: SqliteStatement;
  readonly updateExecution: SqliteStatement;
  readonly putCheckpoint: SqliteStatement;
  /** {@link putCheckpoint} applied only while the fence holds the lease (no row changed: refused). */
  readonly putCheckpointFenced: SqliteStatement;
  readonly getCheckpoint: SqliteStatement;
  readonly listCheckpoints: SqliteStatement;
  readonly putWait: SqliteStatement;
  readonly putWaitFenced: SqliteStatement;
  readonly getWait: SqliteStatement;
  readonly listWaits: SqliteStatement;
  readonly listWaitsWithStatus: SqliteStatement;
  readonly resolveWait: SqliteStatement;
  readonly putArtifact: SqliteStatement;
  readonly putArtifactFenced: SqliteStatement;
  readonly getArtifact: SqliteStatement;
  readonly listArtifacts: SqliteStatement;
  readonly putBlob: SqliteStatement;
  readonly getBlob: SqliteStatement;
  /** The blobs of the hashes in a JSON array (`?`), found ones only. */
  readonly getBlobs: SqliteStatement;
  /**
   * Writes a batch of blobs and checkpoint records in one IMMEDIATE transaction. With a fence, the
   * lease is checked first, inside the same transaction, and nothing is written when it is not held.
   */
  readonly writeCheckpoints: (
    blobs: readonly BlobWrite[],
    checkpoints: readonly CheckpointRecord[],
    fence: { executionId: string; owner: string; session: number } | undefined,
  ) => CheckpointWriteOutcome;
  readonly listLogs: SqliteStatement;
  /** Appends log lines in one transaction, so a batch lands whole and in order. */
  readonly appendLogs: (lines: readonly (readonly [executionId: string, record: string])[]) => void;
  /** Appends one execution's lines in one transaction if the fence holds its lease; returns whether it did. */
  readonly appendLogsFenced: (fence: { executionId: string; fenceOwner: string; fenceSession: number }, records: readonly string[]) => boolean;
  readonly deployments: SqliteDeployments;

  readonly #database: SqliteDatabase;
  /** Statements whose text depends on a call's arguments (listing filters), by text. */
  readonly #cache = new Map<string, SqliteStatement>();

  constructor(database: SqliteDatabase) {
    this.#database = database;
    this.deployments = new SqliteDeployments(database);
    const prepare = (text: string) => database.prepare(text);
    this.insertExecution = prepare(
      `INSERT INTO keel_executions (id, flow, status, version, lease_owner, lease_expires_at, created_at, updated_at, record)
       VALUES (@id, @flow, @status, @version, @leaseOwner, @leaseExpiresAt, @createdAt, @updatedAt, @record)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.getExecution = prepare('SELECT record FROM keel_executions WHERE id = ?');
    this.updateExecution = prepare(
      `UPDATE keel_executions
       SET status = @status, version = @version, lease_owner = @leaseOwner, lease_expires_at = @leaseExpiresAt,
           updated_at = @updatedAt, record = @record
       WHERE id = @id AND version = @expected`,
    );
    this.putCheckpoint = prepare(
      `INSERT INTO keel_checkpoints (execution_id, id, seq, parent_id, name, kind, status, record)
       VALUES (@executionId, @id, @seq, @parentId, @name, @kind, @status, @record)
       ON CONFLICT (execution_id, id) DO UPDATE SET
         seq = excluded.seq, parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
         status = excluded.status, record = excluded.record`,
    );
    this.putCheckpointFenced = prepare(
      `INSERT INTO keel_checkpoints (execution_id, id, seq, parent_id, name, kind, status, record)
       SELECT @executionId, @id, @seq, @parentId, @name, @kind, @status, @record WHERE ${leaseHeld}
       ON CONFLICT (execution_id, id) DO UPDATE SET
         seq = excluded.seq, parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
         status = excluded.status, record = excluded.record`,
    );
    this.getCheckpoint = prepare('SELECT record FROM keel_checkpoints WHERE execution_id = ? AND id = ?');
    this.listCheckpoints = prepare('SELECT id, record FROM keel_checkpoints WHERE execution_id = ? ORDER BY seq, id');
    this.putWait = prepare(
      `INSERT INTO keel_waits (execution_id, id, status, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (execution_id, id) DO UPDATE SET status = excluded.status, record = excluded.record`,
    );
    this.putWaitFenced = prepare(
      `INSERT INTO keel_waits (execution_id, id, status, record)
       SELECT @executionId, @id, @status, @record WHERE ${leaseHeld}
       ON CONFLICT (execution_id, id) DO UPDATE SET status = excluded.status, record = excluded.record`,
    );
    this.getWait = prepare('SELECT record FROM keel_waits WHERE execution_id = ? AND id = ?');
    this.listWaits = prepare('SELECT id, record FROM keel_waits WHERE execution_id = ? ORDER BY position');
    this.listWaitsWithStatus = prepare('SELECT id, record FROM keel_waits WHERE execution_id = ? AND status = ? ORDER BY position');
    this.resolveWait = prepare(
      `UPDATE keel_waits SET status = 'resolved', record = ?
       WHERE execution_id = ? AND id = ? AND status = 'pending'`,
    );
    this.putArtifact = prepare(
      `INSERT INTO keel_artifacts (execution_id, name, record) VALUES (?, ?, ?)
       ON CONFLICT (execution_id, name) DO UPDATE SET record = excluded.record`,
    );
    this.putArtifactFenced = prepare(
      `INSERT INTO keel_artifacts (execution_id, name, record)
       SELECT @executionId, @name, @record WHERE ${leaseHeld}
       ON CONFLICT (execution_id, name) DO UPDATE SET record = excluded.record`,
    );
    this.getArtifact = prepare('SELECT record FROM keel_artifacts WHERE execution_id = ? AND name = ?');
    this.listArtifacts = prepare('SELECT name, record FROM keel_artifacts WHERE execution_id = ? ORDER BY position');
    this.putBlob = prepare('INSERT INTO keel_blobs (hash, size, content) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING');
    this.getBlob = prepare('SELECT content FROM keel_blobs WHERE hash = ?');
    this.getBlobs = prepare('SELECT hash, content FROM keel_blobs WHERE hash IN (SELECT value FROM json_each(?))');
    // The fence's lease and the cancel flag in one read of the execution row, so a write needs no
    // second statement to learn of a cancel.
    const leaseOf = prepare(
      `SELECT lease_owner AS owner, json_extract(record, '$.sessions') AS session, json_extract(record, '$.cancelRequested') AS cancel
       FROM keel_executions WHERE id = ?`,
    );
    const putCheckpoint = this.putCheckpoint;
    const putBlob = this.putBlob;
    const write = database.transaction(
      (
        blobs: readonly BlobWrite[],
        checkpoints: readonly CheckpointRecord[],
        fence: { executionId: string; owner: string; session: number } | undefined,
      ): CheckpointWriteOutcome => {
        let cancelRequested = false;
        if (fence !== undefined) {
          const lease = leaseOf.get(fence.executionId) as { owner: string | null; session: number | null; cancel: number | null } | undefined;
          if (lease === undefined || lease.owner !== fence.owner || lease.session !== fence.session) return 'lease-lost';
          cancelRequested = lease.cancel === 1;
        }
        for (const blob of blobs) putBlob.run(blob.hash, Buffer.byteLength(blob.content), blob.content);
        for (const record of checkpoints) {
          putCheckpoint.run(checkpointColumns(record));
        }
        return cancelRequested ? 'cancel-requested' : 'written';
      },
    );
    // IMMEDIATE: the write lock is taken before the lease is read, so no other writer can change the
    // lease between the check and the inserts, and waiting for one goes through the busy timeout.
    this.writeCheckpoints = (blobs, checkpoints, fence) => write.immediate(blobs, checkpoints, fence);
    this.listLogs = prepare('SELECT record FROM keel_logs WHERE execution_id = ? ORDER BY position LIMIT ? OFFSET ?');
    const appendLog = prepare('INSERT INTO keel_logs (execution_id, record) VALUES (?, ?)');
    const append = database.transaction((lines: readonly (readonly [string, string])[]) => {
      for (const [executionId, record] of lines) appendLog.run(executionId, record);
    });
    // IMMEDIATE takes the write lock before the first insert, so waiting for another writer goes
    // through the busy timeout instead of failing half way.
    this.appendLogs = (lines) => append.immediate(lines);
    const leaseIsHeld = prepare(`SELECT ${leaseHeld} AS held`);
    const appendFenced = database.transaction((fence: { executionId: string; fenceOwner: string; fenceSession: number }, records: readonly string[]) => {
      if ((leaseIsHeld.get(fence) as { held: number }).held !== 1) return false;
      for (const record of records) appendLog.run(fence.executionId, record);
      return true;
    });
    this.appendLogsFenced = (fence, records) => appendFenced.immediate(fence, records) as boolean;
  }

  /** A statement for query text built from a call's arguments, prepared once per distinct text. */
  cached(text: string): SqliteStatement {
    let statement = this.#cache.get(text);
    if (statement === undefined) {
      statement = this.#database.prepare(text);
      this.#cache.set(text, statement);
    }
    return statement;
  }
}

/** The named parameters of the checkpoint insert statements: the columns queries filter by, and the record. */
export function checkpointColumns(record: CheckpointRecord): { readonly executionId: string } & Record<string, unknown> {
  return {
    executionId: record.executionId,
    id: record.id,
    seq: record.seq,
    parentId: record.parentId,
    name: record.name,
    kind: record.kind,
    status: record.status,
    record: JSON.stringify(record),
  };
}
