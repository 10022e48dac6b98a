import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { KeelError, type Store } from '@keel/core';
import type {
  ArtifactRecord,
  CheckpointRecord,
  CheckpointWrite,
  CheckpointWriteReceipt,
  ClaimFilter,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  DeploymentRecord,
  FlowTagRecord,
  Lease,
  LeaseFence,
  LogRecord,
  PayloadRef,
  UpdateResult,
  WaitRecord,
} from '@keel/core/store';
import type { PostgresAccess } from './postgres-access.js';
import { PostgresArtifacts } from './postgres-artifacts.js';
import { PostgresBlobs } from './postgres-blobs.js';
import { PostgresCheckpoints } from './postgres-checkpoints.js';
import { settingsFromPool, settingsFromUrl, type ConnectionSettings } from './connection-settings.js';
import { claimQueued } from './postgres-claims.js';
import { PostgresDeployments } from './postgres-deployments.js';
import { PostgresExecutions } from './postgres-executions.js';
import { PostgresLogs } from './postgres-logs.js';
import { migratePostgresSchema } from './postgres-schema.js';
import { PostgresWaits } from './postgres-waits.js';
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
  readonly #access: PostgresAccess;
  readonly #ownsPool: boolean;
  readonly #options: PostgresStoreOptions;
  /** Prepared statement names are per connection and may meet another store's on a shared pool. */
  readonly #statementPrefix: string;
  #ready: Promise<void> | undefined;
  #closed = false;
  readonly #executions: PostgresExecutions;
  readonly #checkpoints: PostgresCheckpoints;
  readonly #waits: PostgresWaits;
  readonly #artifacts: PostgresArtifacts;
  readonly #blobs: PostgresBlobs;
  readonly #logs: PostgresLogs;
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
    this.#statementPrefix = `keel_${createHash('sha256').update(this.settings.schema).digest('hex').slice(0, 8)}_`;
    // An idle connection that the server drops emits an error on the pool; without a listener that
    // would end the process. The pool discards the connection, and the next call opens a new one.
    this.#pool.on('error', () => {});
    // Each concept (executions, checkpoints, …) lives in its own part; they share this store's
    // retrying runner and prepared queries.
    const access: PostgresAccess = {
      run: (operation, work) => this.#run(operation, work),
      query: (name, text, values) => this.#query(name, text, values),
      schema: `"${this.settings.schema}"`,
      location: this.location,
      row: (table, which) => `${this.location}, table ${table}, ${which}`,
    };
    this.#access = access;
    this.#executions = new PostgresExecutions(access);
    this.#checkpoints = new PostgresCheckpoints(access);
    this.#waits = new PostgresWaits(access);
    this.#artifacts = new PostgresArtifacts(access);
    this.#blobs = new PostgresBlobs(access);
    this.#logs = new PostgresLogs(access);
    this.#deployments = new PostgresDeployments(access);
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

  /** A query as a named prepared statement: parsed and planned once per connection. */
  #query<R extends pg.QueryResultRow>(name: string, text: string, values: readonly unknown[]): Promise<pg.QueryResult<R>> {
    return this.#pool.query<R>({ name: this.#statementPrefix + name, text, values: [...values] });
  }

  // ── executions ────────────────────────────────────────────────────────────────────────────

  createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord> {
    return this.#executions.createExecution(record);
  }

  getExecution(id: string): Promise<ExecutionRecord | null> {
    return this.#executions.getExecution(id);
  }

  updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>> {
    return this.#executions.updateExecution(id, patch, condition);
  }

  claimQueued(filter: ClaimFilter, lease: Lease): Promise<ExecutionRecord | null> {
    return claimQueued(this.#access, filter, lease);
  }

  listExecutions(filter?: ExecutionFilter): Promise<ExecutionRecord[]> {
    return this.#executions.listExecutions(filter);
  }

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  putCheckpoint(record: CheckpointRecord, fence?: LeaseFence): Promise<void> {
    return this.#checkpoints.putCheckpoint(record, fence);
  }

  writeCheckpoints(write: CheckpointWrite, fence?: LeaseFence): Promise<CheckpointWriteReceipt> {
    return this.#checkpoints.writeCheckpoints(write, fence);
  }

  getCheckpoint(executionId: string, id: string): Promise<CheckpointRecord | null> {
    return this.#checkpoints.getCheckpoint(executionId, id);
  }

  listCheckpoints(executionId: string): Promise<CheckpointRecord[]> {
    return this.#checkpoints.listCheckpoints(executionId);
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────────

  putWait(record: WaitRecord, fence?: LeaseFence): Promise<void> {
    return this.#waits.putWait(record, fence);
  }

  getWait(executionId: string, id: string): Promise<WaitRecord | null> {
    return this.#waits.getWait(executionId, id);
  }

  listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]> {
    return this.#waits.listWaits(executionId, filter);
  }

  resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>> {
    return this.#waits.resolveWait(executionId, id, resolution);
  }

  // ── artifacts and blobs ───────────────────────────────────────────────────────────────────

  putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void> {
    return this.#artifacts.putArtifact(record, fence);
  }

  getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null> {
    return this.#artifacts.getArtifact(executionId, name);
  }

  listArtifacts(executionId: string): Promise<ArtifactRecord[]> {
    return this.#artifacts.listArtifacts(executionId);
  }

  putBlob(hash: string, content: string): Promise<void> {
    return this.#blobs.putBlob(hash, content);
  }

  getBlob(hash: string): Promise<string | null> {
    return this.#blobs.getBlob(hash);
  }

  getBlobs(hashes: readonly string[]): Promise<Map<string, string>> {
    return this.#blobs.getBlobs(hashes);
  }

  // ── logs ──────────────────────────────────────────────────────────────────────────────────

  appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void> {
    return this.#logs.appendLogs(records, fence);
  }

  listLogs(executionId: string, options?: { readonly offset?: number; readonly limit?: number }): Promise<LogRecord[]> {
    return this.#logs.listLogs(executionId, options);
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
