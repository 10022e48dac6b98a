import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { ExecutionExistsError, KeelError, type Store } from '@keel/core';
import {
  LeaseLostError,
  applyExecutionPatch,
  checkpointWriteExecution,
  describeCheckpointWrite,
  fencedLogExecution,
  holdsLease,
  recordFromRow,
} from '@keel/core/store';
import type {
  ArtifactRecord,
  CheckpointRecord,
  CheckpointWrite,
  CheckpointWriteReceipt,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  DeploymentRecord,
  FlowTagRecord,
  LeaseFence,
  LogRecord,
  PayloadRef,
  UpdateResult,
  WaitRecord,
} from '@keel/core/store';
import { migrateSqliteSchema } from './sqlite-schema.js';
import { openSqliteDatabase, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';
import { SqliteStatements, checkpointColumns } from './sqlite-statements.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * How long (ms) a write waits for another process's write to finish before it fails with
   * `SQLITE_BUSY`. Default 5,000. Writes are short, so waiting is rare and brief.
   */
  readonly busyTimeout?: number;
  /**
   * SQLite's `synchronous` setting. `normal` (the default, with WAL) keeps every resolved write when the
   * process is killed, and may lose the last ones on a power cut or OS crash; `full` keeps them then too,
   * at the cost of an fsync per write.
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * Whether opening the store may create or migrate its schema (default `true`). With `false`, a file
   * without the current schema fails with `StoreSchemaOutdatedError` and is left untouched: for
   * deployments that change schemas only on purpose.
   */
  readonly migrate?: boolean;
}

/** How many hashes one `getBlobs` statement looks up. */
const blobChunk = 1_000;

const packageVersion = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * A {@link Store} in one SQLite file, for one machine: several processes (workers, the CLI giving
 * input, a dashboard) share the file safely.
 *
 * - The file is in WAL mode, so readers never block the writer and the writer never blocks readers;
 *   writes from several processes queue on SQLite's lock for at most `busyTimeout`.
 * - Executions change by compare-and-set (`UPDATE … WHERE id = ? AND version = ?`), waits resolve with
 *   `… AND status = 'pending'`: of two processes writing at once, exactly one wins.
 * - A fenced write (a session's) checks the lease in its own statement (`INSERT … SELECT … WHERE EXISTS`
 *   the lease), so a holder that was taken over writes nothing and gets `LeaseLostError`.
 * - The schema is created and migrated by the store on first use, recorded in `keel_schema`; a file
 *   migrated by a newer Keel is refused with `StoreSchemaTooNewError`.
 * - Payloads are stored once per content hash in `keel_blobs`; records refer to them by hash.
 *
 * better-sqlite3 is synchronous: each call does its work on this thread (microseconds for the
 * statements a runner makes) and returns a settled promise, which keeps the async {@link Store} contract.
 * The file is opened on first use, so building the store (e.g. in a config) touches nothing.
 *
 * @param path - The database file (`./keel.db`), created with its folder when missing. `:memory:`
 *   gives a private in-memory database (tests).
 *
 * @example
 * ```ts
 * import { createRuntime } from '@keel/core';
 * import { sqliteStore } from '@keel/store-sqlite';
 *
 * const runtime = createRuntime({ store: sqliteStore('./keel.db') });
 * ```
 */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return new SqliteStore(path, options);
}

class SqliteStore implements Store {
  readonly specificationVersion = 'v4' as const;
  readonly name = 'sqlite';
  readonly location: string;

  readonly #options: SqliteStoreOptions;
  #database: SqliteDatabase | undefined;
  #statements: SqliteStatements | undefined;
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions) {
    if (path.trim() === '') throw new KeelError('sqliteStore needs a file path, e.g. sqliteStore("./keel.db").');
    this.location = path === ':memory:' ? ':memory:' : resolve(path);
    this.#options = options;
  }

  /** The prepared statements, opening (and migrating) the file on first use. */
  #open(): SqliteStatements {
    if (this.#statements !== undefined) return this.#statements;
    if (this.#closed) throw new KeelError(`The SQLite store ${this.location} is closed; open a new one with sqliteStore().`);
    if (this.location !== ':memory:') mkdirSync(dirname(this.location), { recursive: true });
    const database = openSqliteDatabase(this.location, this.#options.busyTimeout ?? 5_000);
    try {
      // WAL is a property of the file: the first process sets it and the ones after find it set. Asking
      // first keeps them from taking the lock that changing it needs.
      if (this.location !== ':memory:' && database.pragma('journal_mode', { simple: true }) !== 'wal') {
        try {
          database.pragma('journal_mode = WAL');
        } catch (error) {
          // A process opening the new file at the same moment may be switching it itself; SQLite reports
          // that as busy without waiting. Its switch is as good as ours.
          if (database.pragma('journal_mode', { simple: true }) !== 'wal') throw error;
        }
      }
      database.pragma(`synchronous = ${this.#options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      migrateSqliteSchema(database, {
        location: this.location,
        appliedBy: `@keel/store-sqlite ${packageVersion}`,
        migrate: this.#options.migrate ?? true,
      });
      this.#statements = new SqliteStatements(database);
      this.#database = database;
      return this.#statements;
    } catch (error) {
      database.close();
      throw error;
    }
  }

  // ── executions ────────────────────────────────────────────────────────────────────────────

  async createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord> {
    const stored = copy<ExecutionRecord>({ ...record, version: 1, updatedAt: record.createdAt });
    const inserted = this.#open().insertExecution.run(executionColumns(stored));
    if (inserted.changes === 0) {
      throw new ExecutionExistsError({ executionId: record.id, location: this.location });
    }
    return stored;
  }

  async getExecution(id: string): Promise<ExecutionRecord | null> {
    return this.#readExecution(id);
  }

  #readExecution(id: string): ExecutionRecord | null {
    const row = this.#open().getExecution.get(id) as { record: string } | undefined;
    return row === undefined ? null : recordFromRow<ExecutionRecord>(row.record, this.#row('keel_executions', `id "${id}"`), { id });
  }

  async updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>> {
    const statements = this.#open();
    const changes = copy<ExecutionPatch>(patch);
    for (;;) {
      const current = this.#readExecution(id);
      if (current === null) return { ok: false, reason: 'not-found' };
      // The compare-and-set below applies only to the version read here, so the lease checked here
      // is the one the update replaces.
      if (condition?.fence !== undefined && !holdsLease(current, condition.fence)) {
        throw this.#leaseLost(id, condition.fence, 'an update of the execution');
      }
      if (condition?.version !== undefined && condition.version !== current.version) {
        return { ok: false, reason: 'conflict', current };
      }
      const next = applyExecutionPatch(current, changes, Date.now());
      // The compare-and-set: another process may have written between the read and here.
      const updated = statements.updateExecution.run({ ...executionColumns(next), expected: current.version });
      if (updated.changes === 1) return { ok: true, record: next };
      // Lost the race: with a condition that is a conflict (the loop reports it); without one, the
      // patch is applied again to what the other writer left.
    }
  }

  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : [...filter.status];
    if (statuses?.length === 0 || (filter.limit !== undefined && filter.limit <= 0)) return [];
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (filter.flow !== undefined) {
      conditions.push('flow = ?');
      values.push(filter.flow);
    }
    if (statuses !== undefined) {
      conditions.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      values.push(...statuses);
    }
    if (filter.before !== undefined) {
      conditions.push('id < ?');
      values.push(filter.before);
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    values.push(filter.limit === undefined ? -1 : Math.floor(filter.limit));
    const statement = this.#open().cached(`SELECT id, record FROM keel_executions ${where} ORDER BY id DESC LIMIT ?`);
    return (statement.all(...values) as { id: string; record: string }[]).map((row) =>
      recordFromRow<ExecutionRecord>(row.record, this.#row('keel_executions', `id "${row.id}"`), { id: row.id }),
    );
  }

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  async putCheckpoint(record: CheckpointRecord, fence?: LeaseFence): Promise<void> {
    const columns = checkpointColumns(record);
    const statements = this.#open();
    if (fence === undefined) statements.putCheckpoint.run(columns);
    else this.#fenced(statements.putCheckpointFenced, columns, fence, `checkpoint "${record.id}"`);
  }

  async writeCheckpoints(write: CheckpointWrite, fence?: LeaseFence): Promise<CheckpointWriteReceipt> {
    const executionId = checkpointWriteExecution(write);
    // A batch without records has nothing to fence (its blobs are harmless either way).
    const fenced = executionId === undefined || fence === undefined ? undefined : { executionId, owner: fence.owner, session: fence.session };
    const outcome = this.#open().writeCheckpoints(write.blobs ?? [], write.checkpoints, fenced);
    if (outcome === 'lease-lost') throw this.#leaseLost(executionId!, fence!, describeCheckpointWrite(write.checkpoints));
    return { cancelRequested: outcome === 'cancel-requested' };
  }

  async getCheckpoint(executionId: string, id: string): Promise<CheckpointRecord | null> {
    const row = this.#open().getCheckpoint.get(executionId, id) as { record: string } | undefined;
    return row === undefined
      ? null
      : recordFromRow<CheckpointRecord>(row.record, this.#row('keel_checkpoints', `execution "${executionId}", id "${id}"`), { executionId, id });
  }

  async listCheckpoints(executionId: string): Promise<CheckpointRecord[]> {
    const rows = this.#open().listCheckpoints.all(executionId) as { id: string; record: string }[];
    return rows.map((row) =>
      recordFromRow<CheckpointRecord>(row.record, this.#row('keel_checkpoints', `execution "${executionId}", id "${row.id}"`), { executionId, id: row.id }),
    );
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────────

  async putWait(record: WaitRecord, fence?: LeaseFence): Promise<void> {
    const statements = this.#open();
    const text = JSON.stringify(record);
    if (fence === undefined) statements.putWait.run(record.executionId, record.id, record.status, text);
    else
      this.#fenced(
        statements.putWaitFenced,
        { executionId: record.executionId, id: record.id, status: record.status, record: text },
        fence,
        `wait "${record.id}"`,
      );
  }

  async getWait(executionId: string, id: string): Promise<WaitRecord | null> {
    return this.#readWait(executionId, id);
  }

  #readWait(executionId: string, id: string): WaitRecord | null {
    const row = this.#open().getWait.get(executionId, id) as { record: string } | undefined;
    return row === undefined
      ? null
      : recordFromRow<WaitRecord>(row.record, this.#row('keel_waits', `execution "${executionId}", id "${id}"`), { executionId, id });
  }

  async listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]> {
    const statements = this.#open();
    const rows = (filter?.status === undefined ? statements.listWaits.all(executionId) : statements.listWaitsWithStatus.all(executionId, filter.status)) as {
      id: string;
      record: string;
    }[];
    return rows.map((row) =>
      recordFromRow<WaitRecord>(row.record, this.#row('keel_waits', `execution "${executionId}", id "${row.id}"`), { executionId, id: row.id }),
    );
  }

  async resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>> {
    const statements = this.#open();
    const current = this.#readWait(executionId, id);
    if (current === null) return { ok: false, reason: 'not-found' };
    if (current.status !== 'pending') return { ok: false, reason: 'conflict', current };
    const next = copy<WaitRecord>({ ...current, ...resolution, status: 'resolved' });
    // Applies only while the row is still pending: of two processes answering at once, one wins.
    const updated = statements.resolveWait.run(JSON.stringify(next), executionId, id);
    if (updated.changes === 1) return { ok: true, record: next };
    const now = this.#readWait(executionId, id);
    return now === null ? { ok: false, reason: 'not-found' } : { ok: false, reason: 'conflict', current: now };
  }

  // ── artifacts and blobs ───────────────────────────────────────────────────────────────────

  async putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void> {
    const statements = this.#open();
    const text = JSON.stringify(record);
    if (fence === undefined) statements.putArtifact.run(record.executionId, record.name, text);
    else this.#fenced(statements.putArtifactFenced, { executionId: record.executionId, name: record.name, record: text }, fence, `artifact "${record.name}"`);
  }

  async getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null> {
    const row = this.#open().getArtifact.get(executionId, name) as { record: string } | undefined;
    return row === undefined
      ? null
      : recordFromRow<ArtifactRecord>(row.record, this.#row('keel_artifacts', `execution "${executionId}", name "${name}"`), { executionId, name });
  }

  async listArtifacts(executionId: string): Promise<ArtifactRecord[]> {
    const rows = this.#open().listArtifacts.all(executionId) as { name: string; record: string }[];
    return rows.map((row) =>
      recordFromRow<ArtifactRecord>(row.record, this.#row('keel_artifacts', `execution "${executionId}", name "${row.name}"`), { executionId, name: row.name }),
    );
  }

  async putBlob(hash: string, content: string): Promise<void> {
    this.#open().putBlob.run(hash, Buffer.byteLength(content), content);
  }

  async getBlob(hash: string): Promise<string | null> {
    const row = this.#open().getBlob.get(hash) as { content: string } | undefined;
    return row === undefined ? null : row.content;
  }

  async getBlobs(hashes: readonly string[]): Promise<Map<string, string>> {
    const statement = this.#open().getBlobs;
    const found = new Map<string, string>();
    // Chunks keep each JSON parameter small; json_each takes a whole chunk in one bound value.
    for (let start = 0; start < hashes.length; start += blobChunk) {
      const rows = statement.all(JSON.stringify(hashes.slice(start, start + blobChunk))) as { hash: string; content: string }[];
      for (const row of rows) found.set(row.hash, row.content);
    }
    return found;
  }

  // ── logs ──────────────────────────────────────────────────────────────────────────────────

  async appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void> {
    if (records.length === 0) return;
    if (fence === undefined) {
      this.#open().appendLogs(records.map((record) => [record.executionId, JSON.stringify(record)] as const));
      return;
    }
    const executionId = fencedLogExecution(records);
    const appended = this.#open().appendLogsFenced(
      { executionId, fenceOwner: fence.owner, fenceSession: fence.session },
      records.map((record) => JSON.stringify(record)),
    );
    if (!appended) throw this.#leaseLost(executionId, fence, `${records.length} log lines`);
  }

  async listLogs(executionId: string, options: { readonly offset?: number; readonly limit?: number } = {}): Promise<LogRecord[]> {
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit));
    const rows = this.#open().listLogs.all(executionId, limit, offset) as { record: string }[];
    const listed = this.#row('keel_logs', `execution "${executionId}"`);
    return rows.map((row) => recordFromRow<LogRecord>(row.record, listed, { executionId }));
  }

  /** Runs a fenced write statement; no row changed means the fence is not the execution's lease. */
  #fenced(statement: SqliteStatement, columns: { readonly executionId: string } & Record<string, unknown>, fence: LeaseFence, write: string): void {
    const written = statement.run({ ...columns, fenceOwner: fence.owner, fenceSession: fence.session });
    if (written.changes === 0) throw this.#leaseLost(columns.executionId, fence, write);
  }

  #leaseLost(executionId: string, fence: LeaseFence, write: string): LeaseLostError {
    return new LeaseLostError({ executionId, write, fence, current: this.#readExecution(executionId), store: this.location });
  }

  /** Names a row for a `StoreCorruptedError`: this database, the table, and what the row was read for. */
  #row(table: string, which: string): string {
    return `${this.location}, table ${table}, ${which}`;
  }

  // ── deployments and tags ──────────────────────────────────────────────────────────────────

  async createDeployment(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>> {
    return this.#open().deployments.create(record);
  }

  async getDeployment(flow: string, version: string): Promise<DeploymentRecord | null> {
    return this.#open().deployments.get(flow, version);
  }

  async listDeployments(filter: { readonly flow?: string } = {}): Promise<DeploymentRecord[]> {
    return this.#open().deployments.list(filter.flow);
  }

  async deleteDeployment(flow: string, version: string): Promise<boolean> {
    return this.#open().deployments.delete(flow, version);
  }

  async putTag(record: FlowTagRecord): Promise<void> {
    this.#open().deployments.putTag(record);
  }

  async getTag(flow: string, tag: string): Promise<FlowTagRecord | null> {
    return this.#open().deployments.getTag(flow, tag);
  }

  async listTags(filter: { readonly flow?: string } = {}): Promise<FlowTagRecord[]> {
    return this.#open().deployments.listTags(filter.flow);
  }

  async deleteTag(flow: string, tag: string): Promise<boolean> {
    return this.#open().deployments.deleteTag(flow, tag);
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  async close(): Promise<void> {
    this.#closed = true;
    this.#statements = undefined;
    this.#database?.close();
    this.#database = undefined;
  }
}

/** The named parameters of the execution insert and update statements. */
function executionColumns(record: ExecutionRecord): Record<string, unknown> {
  return {
    id: record.id,
    flow: record.flow,
    status: record.status,
    version: record.version,
    leaseOwner: record.lease?.owner ?? null,
    leaseExpiresAt: record.lease?.expiresAt ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    record: JSON.stringify(record),
  };
}

// Records are JSON by contract, so a JSON round trip is an exact deep copy that also drops
// `undefined` fields the way storing them does.
function copy<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
