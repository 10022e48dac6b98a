import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
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
import { settingsFromPool, settingsFromUrl, type ConnectionSettings } from './connection-settings.js';
import { PostgresDeployments } from './postgres-deployments.js';
import { migratePostgresSchema } from './postgres-schema.js';
import { StoreUnavailableError } from './store-unavailable-error.js';
import { isTransientError } from './transient-error.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The schema that holds Keel's tables. Default: the URL's `schema` query parameter, else `keel`.
   * Several deployments can share a database in separate schemas.
   */
  readonly schema?: string;
  /** How many connections the store's own pool opens at most (ignored for a pool you pass). Default 10. */
  readonly poolSize?: number;
  /**
   * For how long (ms) a call keeps retrying while the connection is lost or the server restarts, with
   * exponential backoff from 50 ms to 2 s, before it fails with `StoreUnavailableError`. Default 15,000.
   */
  readonly retryFor?: number;
  /**
   * Whether opening the store may create or migrate its schema (default `true`). With `false`, a database
   * without the current schema fails with `StoreSchemaOutdatedError` and is left untouched: for
   * deployments that change schemas only on purpose.
   */
  readonly migrate?: boolean;
}

/**
 * The condition of a fenced write, on the `executions` row of the written execution: the fence's owner
 * (parameter `$n`) holds its lease in the fence's session (`$n+1`). `FOR SHARE` locks the row until the
 * write commits, and makes a takeover that committed meanwhile count (the row is checked again in its
 * newest version), so a lease cannot change between the check and the write.
 */
function leaseHeld(n: number, executionId = '$1'): string {
  return `WHERE id = ${executionId}::text AND lease_owner = $${n}::text AND (record->>'sessions')::integer = $${n + 1}::integer FOR SHARE`;
}

/** How many hashes one `getBlobs` query looks up. */
const blobChunk = 2_000;

const packageVersion = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * What {@link listenForWork} needs from a store it is given; kept out of the {@link Store} contract.
 * @internal
 */
export const storeConnections = new WeakMap<Store, ConnectionSettings>();

/**
 * A {@link Store} in PostgreSQL: the backend for many workers on many machines sharing one database.
 *
 * - Tables live in one schema (default `keel`), created and migrated by the store on first use under
 *   an advisory lock, with every applied version recorded in `<schema>.keel_schema`. A schema migrated
 *   by a newer Keel is refused with `StoreSchemaTooNewError`.
 * - Executions change by compare-and-set (`UPDATE … WHERE id = $1 AND version = $2`), waits resolve
 *   with `… AND status = 'pending'`: of two workers writing at once, exactly one wins.
 * - A fenced write (a session's) checks the lease in its own statement (`INSERT … SELECT … FROM
 *   executions WHERE <lease held> FOR SHARE`): no extra round trip, and a worker that was taken over
 *   writes nothing and gets `LeaseLostError`.
 * - A lost connection or a restarting server is retried with backoff for up to `retryFor`. Every
 *   write is safe to send twice: puts are upserts, blobs `ON CONFLICT DO NOTHING`, and the writes that
 *   are not naturally idempotent (create, compare-and-set, resolve, log append) recognise their own
 *   earlier attempt when the first one committed but its answer was lost. No checkpoint is lost or
 *   duplicated by a retry.
 * - Committing a queued execution or a wait's input sends `NOTIFY <schema>_queued` / `<schema>_input`
 *   with the execution id, which {@link listenForWork} turns into a wake-up for idle workers.
 *
 * The store connects on first use, so building it (e.g. in a config) opens no connection.
 *
 * @param connection - A `postgres://` URL (its `schema` query parameter picks the schema), or a
 *   `pg.Pool` you own: the store then uses it and leaves closing it to you.
 *
 * @example
 * ```ts
 * import { createRuntime } from '@keel/core';
 * import { postgresStore } from '@keel/store-postgres';
 *
 * const runtime = createRuntime({ store: postgresStore(process.env.DATABASE_URL!) });
 * ```
 */
export function postgresStore(connection: string | pg.Pool, options: PostgresStoreOptions = {}): Store {
  const store = new PostgresStore(connection, options);
  storeConnections.set(store, store.settings);
  return store;
}

class PostgresStore implements Store {
  readonly specificationVersion = 'v4' as const;
  readonly name = 'postgres';
  readonly location: string;
  readonly settings: ConnectionSettings;

  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #options: PostgresStoreOptions;
  /** `"schema"`, for SQL text. */
  readonly #s: string;
  /** Prepared statement names are per connection and may meet another store's on a shared pool. */
  readonly #statementPrefix: string;
  #ready: Promise<void> | undefined;
  #closed = false;
  readonly #deployments: PostgresDeployments;

  constructor(connection: string | pg.Pool, options: PostgresStoreOptions) {
    this.#options = options;
    if (typeof connection === 'string') {
      this.settings = settingsFromUrl(connection, options.schema);
      this.#pool = new pg.Pool({
        ...this.settings.config,
        max: options.poolSize ?? 10,
        application_name: 'keel',
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
        // A script that forgets `close()` still exits once its work is done.
        allowExitOnIdle: true,
      });
      this.#ownsPool = true;
    } else {
      this.settings = settingsFromPool(connection, options.schema);
      this.#pool = connection;
      this.#ownsPool = false;
    }
    this.location = this.settings.location;
    this.#s = `"${this.settings.schema}"`;
    this.#statementPrefix = `keel_${createHash('sha256').update(this.settings.schema).digest('hex').slice(0, 8)}_`;
    // An idle connection that the server drops emits an error on the pool; without a listener that
    // would end the process. The pool discards the connection, and the next call opens a new one.
    this.#pool.on('error', () => {});
    this.#deployments = new PostgresDeployments({
      run: (operation, work) => this.#run(operation, work),
      query: (name, text, values) => this.#query(name, text, values),
      schema: this.#s,
    });
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────

  /** Runs `work` once the schema is ready, retrying transient failures (see {@link isTransientError}). */
  async #run<T>(operation: string, work: (attempt: number) => Promise<T>): Promise<T> {
    if (this.#closed) throw new KeelError(`The PostgreSQL store ${this.location} is closed; open a new one with postgresStore().`);
    await this.#open();
    return this.#retrying(operation, work);
  }

  async #retrying<T>(operation: string, work: (attempt: number) => Promise<T>): Promise<T> {
    const retryFor = this.#options.retryFor ?? 15_000;
    const started = Date.now();
    let delay = 50;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(attempt);
      } catch (error) {
        if (!isTransientError(error) || this.#closed) throw error;
        const elapsed = Date.now() - started;
        if (elapsed + delay > retryFor) {
          throw new StoreUnavailableError({ location: this.location, operation, retriedFor: elapsed, cause: error });
        }
        // Jitter keeps many workers that lost the server together from returning in lockstep.
        await sleep(delay / 2 + Math.random() * (delay / 2));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  /** Creates or migrates the schema once; a transient failure is forgotten so the next call tries again. */
  #open(): Promise<void> {
    this.#ready ??= this.#retrying('open', () =>
      migratePostgresSchema(this.#pool, {
        schema: this.settings.schema,
        location: this.location,
        appliedBy: `@keel/store-postgres ${packageVersion}`,
        migrate: this.#options.migrate ?? true,
      }),
    ).catch((error: unknown) => {
      if (StoreUnavailableError.isInstance(error)) this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * Runs a fenced write (retrying as {@link #run} does): its statement inserts only while the lease
   * holds, checked in the statement itself, so no row written means the fence was refused.
   */
  async #fenced(
    operation: string,
    executionId: string,
    fence: LeaseFence,
    write: string,
    statement: (attempt: number) => Promise<{ rowCount: number | null }>,
  ): Promise<void> {
    await this.#run(operation, async (attempt) => {
      if ((await statement(attempt)).rowCount !== 0) return;
      const current = (await this.#readExecution(executionId))?.record ?? null;
      throw new LeaseLostError({ executionId, write, fence, current, store: this.location });
    });
  }

  /** Names a row for a `StoreCorruptedError`: this store (schema), the table, and what the row was read for. */
  #row(table: string, which: string): string {
    return `${this.location}, table ${table}, ${which}`;
  }

  /** A query as a named prepared statement: parsed and planned once per connection. */
  #query<R extends pg.QueryResultRow>(name: string, text: string, values: readonly unknown[]): Promise<pg.QueryResult<R>> {
    return this.#pool.query<R>({ name: this.#statementPrefix + name, text, values: [...values] });
  }

  // ── executions ────────────────────────────────────────────────────────────────────────────

  async createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord> {
    const stored = copy<ExecutionRecord>({ ...record, version: 1, updatedAt: record.createdAt });
    const write = randomUUID();
    return this.#run('createExecution', async () => {
      const inserted = await this.#query(
        'create_execution',
        `INSERT INTO ${this.#s}.executions
           (id, flow, status, version, lease_owner, lease_expires_at, created_at, updated_at, last_write, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING`,
        [...executionColumns(stored), write, JSON.stringify(stored)],
      );
      if (inserted.rowCount === 1) return stored;
      // The row exists: ours, when an earlier attempt committed and only its answer was lost.
      const existing = await this.#readExecution(record.id);
      if (existing?.lastWrite === write) return stored;
      throw new ExecutionExistsError({ executionId: record.id, location: this.location });
    });
  }

  async getExecution(id: string): Promise<ExecutionRecord | null> {
    return this.#run('getExecution', async () => (await this.#readExecution(id))?.record ?? null);
  }

  async #readExecution(id: string): Promise<{ record: ExecutionRecord; lastWrite: string | null } | null> {
    const result = await this.#query<{ record: ExecutionRecord; last_write: string | null }>(
      'get_execution',
      `SELECT record, last_write FROM ${this.#s}.executions WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (row === undefined) return null;
    const record = recordFromRow<ExecutionRecord>(row.record, this.#row('executions', `id "${id}"`), { id });
    return { record, lastWrite: row.last_write };
  }

  async updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>> {
    const changes = copy<ExecutionPatch>(patch);
    const write = randomUUID();
    return this.#run('updateExecution', async () => {
      for (;;) {
        const current = await this.#readExecution(id);
        if (current === null) return { ok: false, reason: 'not-found' } as const;
        // An earlier attempt of this call committed before its connection was lost.
        if (current.lastWrite === write) return { ok: true, record: current.record } as const;
        // The compare-and-set below applies only to the version read here, so the lease checked here
        // is the one the update replaces.
        if (condition?.fence !== undefined && !holdsLease(current.record, condition.fence)) {
          throw new LeaseLostError({
            executionId: id,
            write: 'an update of the execution',
            fence: condition.fence,
            current: current.record,
            store: this.location,
          });
        }
        if (condition?.version !== undefined && condition.version !== current.record.version) {
          return { ok: false, reason: 'conflict', current: current.record } as const;
        }
        const next = applyExecutionPatch(current.record, changes, Date.now());
        // The compare-and-set: another worker may have written between the read and here.
        const updated = await this.#query(
          'update_execution',
          `UPDATE ${this.#s}.executions
           SET flow = $2, status = $3, version = $4, lease_owner = $5, lease_expires_at = $6, created_at = $7,
               updated_at = $8, last_write = $9, record = $10
           WHERE id = $1 AND version = $11
           RETURNING version`,
          [...executionColumns(next), write, JSON.stringify(next), current.record.version],
        );
        if (updated.rowCount === 1) return { ok: true, record: next } as const;
        // Lost the race: with a condition the next turn reports the conflict; without one, the patch
        // is applied again to what the other writer left.
      }
    });
  }

  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : [...filter.status];
    if (statuses?.length === 0 || (filter.limit !== undefined && filter.limit <= 0)) return [];
    const conditions: string[] = [];
    const values: unknown[] = [];
    const shape: string[] = [];
    if (filter.flow !== undefined) {
      values.push(filter.flow);
      conditions.push(`flow = $${values.length}`);
      shape.push('flow');
    }
    if (statuses !== undefined) {
      values.push(statuses);
      conditions.push(statuses.length === 1 ? `status = ($${values.length}::text[])[1]` : `status = ANY($${values.length}::text[])`);
      shape.push(statuses.length === 1 ? 'status' : 'statuses');
    }
    if (filter.before !== undefined) {
      values.push(filter.before);
      conditions.push(`id < $${values.length}`);
      shape.push('before');
    }
    let limit = '';
    if (filter.limit !== undefined) {
      values.push(Math.floor(filter.limit));
      limit = `LIMIT $${values.length}`;
      shape.push('limit');
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    return this.#run('listExecutions', async () => {
      const result = await this.#query<{ id: string; record: unknown }>(
        `list_executions_${shape.join('_')}`,
        `SELECT id, record FROM ${this.#s}.executions ${where} ORDER BY id DESC ${limit}`,
        values,
      );
      return result.rows.map((row) => recordFromRow<ExecutionRecord>(row.record, this.#row('executions', `id "${row.id}"`), { id: row.id }));
    });
  }

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  async putCheckpoint(record: CheckpointRecord, fence?: LeaseFence): Promise<void> {
    const values = [record.executionId, record.id, record.seq, record.parentId, record.name, record.kind, record.status, JSON.stringify(record)];
    const upsert = `ON CONFLICT (execution_id, id) DO UPDATE SET
           seq = excluded.seq, parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
           status = excluded.status, record = excluded.record`;
    // An upsert: sending it again after a lost connection writes the same row, never a second one.
    if (fence === undefined) {
      await this.#run('putCheckpoint', () =>
        this.#query(
          'put_checkpoint',
          `INSERT INTO ${this.#s}.checkpoints (execution_id, id, seq, parent_id, name, kind, status, record)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ${upsert}`,
          values,
        ),
      );
      return;
    }
    await this.#fenced('putCheckpoint', record.executionId, fence, `checkpoint "${record.id}"`, () =>
      this.#query(
        'put_checkpoint_fenced',
        `INSERT INTO ${this.#s}.checkpoints (execution_id, id, seq, parent_id, name, kind, status, record)
         SELECT $1::text, $2::text, $3::integer, $4::text, $5::text, $6::text, $7::text, $8::json
         FROM ${this.#s}.executions ${leaseHeld(9)} ${upsert}`,
        [...values, fence.owner, fence.session],
      ),
    );
  }

  async writeCheckpoints(write: CheckpointWrite, fence?: LeaseFence): Promise<CheckpointWriteReceipt> {
    const executionId = checkpointWriteExecution(write);
    const records = lastOfEachId(write.checkpoints);
    const blobs = write.blobs ?? [];
    const values = [
      blobs.map((blob) => blob.hash),
      blobs.map((blob) => Buffer.byteLength(blob.content)),
      blobs.map((blob) => blob.content),
      records.map((record) => record.executionId),
      records.map((record) => record.id),
      records.map((record) => record.seq),
      records.map((record) => record.parentId),
      records.map((record) => record.name),
      records.map((record) => record.kind),
      records.map((record) => record.status),
      records.map((record) => JSON.stringify(record)),
    ];
    // Blobs are inserted before the records in the same statement, so a record never lands without
    // the blobs it names. Blobs do nothing on conflict and records are upserts: a retry after a lost
    // answer writes the same rows again, never second ones.
    const insertBlobs = (condition: string) =>
      `INSERT INTO ${this.#s}.blobs (hash, size, content)
       SELECT blob.hash, blob.size, blob.content FROM unnest($1::text[], $2::integer[], $3::text[]) AS blob (hash, size, content) ${condition}
       ON CONFLICT (hash) DO NOTHING`;
    const insertRecords = (from: string) =>
      `INSERT INTO ${this.#s}.checkpoints (execution_id, id, seq, parent_id, name, kind, status, record)
       SELECT c.execution_id, c.id, c.seq, c.parent_id, c.name, c.kind, c.status, c.record::json
       FROM unnest($4::text[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS c (execution_id, id, seq, parent_id, name, kind, status, record)${from}
       ON CONFLICT (execution_id, id) DO UPDATE SET
         seq = excluded.seq, parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
         status = excluded.status, record = excluded.record`;
    if (executionId === undefined || fence === undefined) {
      await this.#run('writeCheckpoints', () => this.#query('write_checkpoints', `WITH blobs AS (${insertBlobs('')}) ${insertRecords('')}`, values));
      return { cancelRequested: false };
    }
    // One statement, so one round trip: the lease CTE locks the execution row (FOR SHARE, as every
    // fenced write does) and reads its cancel flag; blobs and records are inserted only when it found
    // the row, and it is what the statement returns. No row back: the fence was refused, nothing written.
    return this.#run('writeCheckpoints', async () => {
      const result = await this.#query<{ cancel_requested: boolean }>(
        'write_checkpoints_fenced',
        `WITH lease AS (
           SELECT coalesce((record->>'cancelRequested')::boolean, false) AS cancel_requested
           FROM ${this.#s}.executions ${leaseHeld(13, '$12')}
         ),
         blobs AS (${insertBlobs('WHERE EXISTS (SELECT 1 FROM lease)')}),
         records AS (${insertRecords(', lease')})
         SELECT cancel_requested FROM lease`,
        [...values, executionId, fence.owner, fence.session],
      );
      const row = result.rows[0];
      if (row !== undefined) return { cancelRequested: row.cancel_requested };
      const current = (await this.#readExecution(executionId))?.record ?? null;
      throw new LeaseLostError({ executionId, write: describeCheckpointWrite(write.checkpoints), fence, current, store: this.location });
    });
  }

  async getCheckpoint(executionId: string, id: string): Promise<CheckpointRecord | null> {
    return this.#run('getCheckpoint', async () => {
      const result = await this.#query<{ record: CheckpointRecord }>(
        'get_checkpoint',
        `SELECT record FROM ${this.#s}.checkpoints WHERE execution_id = $1 AND id = $2`,
        [executionId, id],
      );
      const row = result.rows[0];
      return row === undefined
        ? null
        : recordFromRow<CheckpointRecord>(row.record, this.#row('checkpoints', `execution "${executionId}", id "${id}"`), { executionId, id });
    });
  }

  async listCheckpoints(executionId: string): Promise<CheckpointRecord[]> {
    return this.#run('listCheckpoints', async () => {
      const result = await this.#query<{ id: string; record: unknown }>(
        'list_checkpoints',
        `SELECT id, record FROM ${this.#s}.checkpoints WHERE execution_id = $1 ORDER BY seq, id`,
        [executionId],
      );
      return result.rows.map((row) =>
        recordFromRow<CheckpointRecord>(row.record, this.#row('checkpoints', `execution "${executionId}", id "${row.id}"`), { executionId, id: row.id }),
      );
    });
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────────

  async putWait(record: WaitRecord, fence?: LeaseFence): Promise<void> {
    const values = [record.executionId, record.id, record.status, JSON.stringify(record)];
    const upsert = 'ON CONFLICT (execution_id, id) DO UPDATE SET status = excluded.status, record = excluded.record';
    if (fence === undefined) {
      await this.#run('putWait', () =>
        this.#query('put_wait', `INSERT INTO ${this.#s}.waits (execution_id, id, status, record) VALUES ($1, $2, $3, $4) ${upsert}`, values),
      );
      return;
    }
    await this.#fenced('putWait', record.executionId, fence, `wait "${record.id}"`, () =>
      this.#query(
        'put_wait_fenced',
        `INSERT INTO ${this.#s}.waits (execution_id, id, status, record)
         SELECT $1::text, $2::text, $3::text, $4::json FROM ${this.#s}.executions ${leaseHeld(5)} ${upsert}`,
        [...values, fence.owner, fence.session],
      ),
    );
  }

  async getWait(executionId: string, id: string): Promise<WaitRecord | null> {
    return this.#run('getWait', () => this.#readWait(executionId, id));
  }

  async #readWait(executionId: string, id: string): Promise<WaitRecord | null> {
    const result = await this.#query<{ record: WaitRecord }>('get_wait', `SELECT record FROM ${this.#s}.waits WHERE execution_id = $1 AND id = $2`, [
      executionId,
      id,
    ]);
    const row = result.rows[0];
    return row === undefined ? null : recordFromRow<WaitRecord>(row.record, this.#row('waits', `execution "${executionId}", id "${id}"`), { executionId, id });
  }

  async listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]> {
    return this.#run('listWaits', async () => {
      const result =
        filter?.status === undefined
          ? await this.#query<{ id: string; record: unknown }>(
              'list_waits',
              `SELECT id, record FROM ${this.#s}.waits WHERE execution_id = $1 ORDER BY position`,
              [executionId],
            )
          : await this.#query<{ id: string; record: unknown }>(
              'list_waits_with_status',
              `SELECT id, record FROM ${this.#s}.waits WHERE execution_id = $1 AND status = $2 ORDER BY position`,
              [executionId, filter.status],
            );
      return result.rows.map((row) =>
        recordFromRow<WaitRecord>(row.record, this.#row('waits', `execution "${executionId}", id "${row.id}"`), { executionId, id: row.id }),
      );
    });
  }

  async resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>> {
    const given = copy<typeof resolution>(resolution);
    return this.#run('resolveWait', async (attempt) => {
      const current = await this.#readWait(executionId, id);
      if (current === null) return { ok: false, reason: 'not-found' } as const;
      if (current.status !== 'pending') {
        // An earlier attempt of this call committed before its connection was lost.
        if (attempt > 1 && isSameResolution(current, given)) return { ok: true, record: current } as const;
        return { ok: false, reason: 'conflict', current } as const;
      }
      const next = copy<WaitRecord>({ ...current, ...given, status: 'resolved' });
      // Applies only while the row is still pending: of two answers given at once, one wins. The
      // trigger on this update sends NOTIFY <schema>_input when it commits.
      const updated = await this.#query(
        'resolve_wait',
        `UPDATE ${this.#s}.waits SET status = 'resolved', record = $3
         WHERE execution_id = $1 AND id = $2 AND status = 'pending'`,
        [executionId, id, JSON.stringify(next)],
      );
      if (updated.rowCount === 1) return { ok: true, record: next } as const;
      const now = await this.#readWait(executionId, id);
      return now === null ? ({ ok: false, reason: 'not-found' } as const) : ({ ok: false, reason: 'conflict', current: now } as const);
    });
  }

  // ── artifacts and blobs ───────────────────────────────────────────────────────────────────

  async putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void> {
    const values = [record.executionId, record.name, JSON.stringify(record)];
    const upsert = 'ON CONFLICT (execution_id, name) DO UPDATE SET record = excluded.record';
    if (fence === undefined) {
      await this.#run('putArtifact', () =>
        this.#query('put_artifact', `INSERT INTO ${this.#s}.artifacts (execution_id, name, record) VALUES ($1, $2, $3) ${upsert}`, values),
      );
      return;
    }
    await this.#fenced('putArtifact', record.executionId, fence, `artifact "${record.name}"`, () =>
      this.#query(
        'put_artifact_fenced',
        `INSERT INTO ${this.#s}.artifacts (execution_id, name, record)
         SELECT $1::text, $2::text, $3::json FROM ${this.#s}.executions ${leaseHeld(4)} ${upsert}`,
        [...values, fence.owner, fence.session],
      ),
    );
  }

  async getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null> {
    return this.#run('getArtifact', async () => {
      const result = await this.#query<{ record: ArtifactRecord }>(
        'get_artifact',
        `SELECT record FROM ${this.#s}.artifacts WHERE execution_id = $1 AND name = $2`,
        [executionId, name],
      );
      const row = result.rows[0];
      return row === undefined
        ? null
        : recordFromRow<ArtifactRecord>(row.record, this.#row('artifacts', `execution "${executionId}", name "${name}"`), { executionId, name });
    });
  }

  async listArtifacts(executionId: string): Promise<ArtifactRecord[]> {
    return this.#run('listArtifacts', async () => {
      const result = await this.#query<{ name: string; record: unknown }>(
        'list_artifacts',
        `SELECT name, record FROM ${this.#s}.artifacts WHERE execution_id = $1 ORDER BY position`,
        [executionId],
      );
      return result.rows.map((row) =>
        recordFromRow<ArtifactRecord>(row.record, this.#row('artifacts', `execution "${executionId}", name "${row.name}"`), { executionId, name: row.name }),
      );
    });
  }

  async putBlob(hash: string, content: string): Promise<void> {
    const values = [hash, Buffer.byteLength(content), content];
    await this.#run('putBlob', () =>
      this.#query('put_blob', `INSERT INTO ${this.#s}.blobs (hash, size, content) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING`, values),
    );
  }

  async getBlob(hash: string): Promise<string | null> {
    return this.#run('getBlob', async () => {
      const result = await this.#query<{ content: string }>('get_blob', `SELECT content FROM ${this.#s}.blobs WHERE hash = $1`, [hash]);
      return result.rows[0]?.content ?? null;
    });
  }

  async getBlobs(hashes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(hashes)];
    const found = new Map<string, string>();
    // A few large reads instead of one per blob; chunks keep each parameter and answer moderate.
    for (let start = 0; start < unique.length; start += blobChunk) {
      const chunk = unique.slice(start, start + blobChunk);
      const result = await this.#run('getBlobs', () =>
        this.#query<{ hash: string; content: string }>('get_blobs', `SELECT hash, content FROM ${this.#s}.blobs WHERE hash = ANY($1::text[])`, [chunk]),
      );
      for (const row of result.rows) found.set(row.hash, row.content);
    }
    return found;
  }

  // ── logs ──────────────────────────────────────────────────────────────────────────────────

  async appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void> {
    const first = records[0];
    if (first === undefined) return;
    const executionIds = records.map((record) => record.executionId);
    const lines = records.map((record) => JSON.stringify(record));
    // One statement, so a batch lands whole and in order; the batch id lets a retry see that an
    // earlier attempt already landed, so no line is written twice.
    const batch = randomUUID();
    const landed = async (attempt: number): Promise<boolean> => {
      if (attempt === 1) return false;
      const found = await this.#query('find_log_batch', `SELECT 1 FROM ${this.#s}.logs WHERE execution_id = $1 AND batch = $2 LIMIT 1`, [
        first.executionId,
        batch,
      ]);
      return found.rowCount === 1;
    };
    if (fence === undefined) {
      await this.#run('appendLogs', async (attempt) => {
        if (await landed(attempt)) return;
        await this.#query(
          'append_logs',
          `INSERT INTO ${this.#s}.logs (execution_id, batch, record)
           SELECT line.execution_id, $3, line.record::json
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS line (execution_id, record, n)
           ORDER BY line.n`,
          [executionIds, lines, batch],
        );
      });
      return;
    }
    const executionId = fencedLogExecution(records);
    await this.#fenced('appendLogs', executionId, fence, `${records.length} log lines`, async (attempt) => {
      if (await landed(attempt)) return { rowCount: records.length };
      return this.#query(
        'append_logs_fenced',
        `INSERT INTO ${this.#s}.logs (execution_id, batch, record)
         SELECT $1::text, $3::uuid, line.record::json
         FROM unnest($2::text[]) WITH ORDINALITY AS line (record, n),
              (SELECT 1 FROM ${this.#s}.executions ${leaseHeld(4, '$1')}) AS lease
         ORDER BY line.n`,
        [executionId, lines, batch, fence.owner, fence.session],
      );
    });
  }

  async listLogs(executionId: string, options: { readonly offset?: number; readonly limit?: number } = {}): Promise<LogRecord[]> {
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    // LIMIT NULL is no limit.
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit));
    return this.#run('listLogs', async () => {
      const result = await this.#query<{ record: LogRecord }>(
        'list_logs',
        `SELECT record FROM ${this.#s}.logs WHERE execution_id = $1 ORDER BY position LIMIT $2 OFFSET $3`,
        [executionId, limit, offset],
      );
      const listed = this.#row('logs', `execution "${executionId}"`);
      return result.rows.map((row) => recordFromRow<LogRecord>(row.record, listed, { executionId }));
    });
  }

  // ── deployments and tags ──────────────────────────────────────────────────────────────────

  createDeployment(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>> {
    return this.#deployments.create(record);
  }

  getDeployment(flow: string, version: string): Promise<DeploymentRecord | null> {
    return this.#deployments.get(flow, version);
  }

  listDeployments(filter: { readonly flow?: string } = {}): Promise<DeploymentRecord[]> {
    return this.#deployments.list(filter.flow);
  }

  deleteDeployment(flow: string, version: string): Promise<boolean> {
    return this.#deployments.delete(flow, version);
  }

  putTag(record: FlowTagRecord): Promise<void> {
    return this.#deployments.putTag(record);
  }

  getTag(flow: string, tag: string): Promise<FlowTagRecord | null> {
    return this.#deployments.getTag(flow, tag);
  }

  listTags(filter: { readonly flow?: string } = {}): Promise<FlowTagRecord[]> {
    return this.#deployments.listTags(filter.flow);
  }

  deleteTag(flow: string, tag: string): Promise<boolean> {
    return this.#deployments.deleteTag(flow, tag);
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A pool the caller passed in is theirs to end.
    if (this.#ownsPool) await this.#pool.end();
  }
}

/** `$1 … $8` of the execution insert and update statements. */
function executionColumns(record: ExecutionRecord): unknown[] {
  return [
    record.id,
    record.flow,
    record.status,
    record.version,
    record.lease?.owner ?? null,
    record.lease?.expiresAt ?? null,
    record.createdAt,
    record.updatedAt,
  ];
}

/** Whether a resolved wait holds exactly this resolution (so it was this call that resolved it). */
function isSameResolution(wait: WaitRecord, resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number }): boolean {
  return (
    wait.status === 'resolved' &&
    wait.input?.hash === resolution.input.hash &&
    wait.resolvedAt === resolution.resolvedAt &&
    wait.resolvedBy === resolution.resolvedBy
  );
}

/**
 * The records of a batch with each id once, the last write of an id winning as it would if they were
 * written one after another (one upsert statement may not change a row twice).
 */
function lastOfEachId(records: readonly CheckpointRecord[]): readonly CheckpointRecord[] {
  const byId = new Map<string, CheckpointRecord>();
  for (const record of records) byId.set(`${record.executionId}\u0000${record.id}`, record);
  return byId.size === records.length ? records : [...byId.values()];
}

// Records are JSON by contract, so a JSON round trip is an exact deep copy that also drops
// `undefined` fields the way storing them does.
function copy<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
