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
} from './records.js';

/**
 * The durable state of Keel: executions, their checkpoint records, waits, artifacts, logs and
 * content-addressed blobs.
 *
 * ```
 * runner ──▶ Store ──▶ memory · lowdb files · SQLite · PostgreSQL
 * ```
 *
 * Rules every backend keeps (the conformance suite in `@keel/core/testing` checks them):
 * - `null` means "not found"; methods never throw for a missing record.
 * - Records come back as they were put (deep-equal), never as live references into the store.
 * - Writes are durable when their promise resolves: a process killed afterwards loses nothing.
 * - Several processes may share one store. Executions change only through compare-and-set
 *   ({@link Store.updateExecution}) and waits resolve only once ({@link Store.resolveWait}), so a
 *   second writer never silently overwrites the first.
 * - Fencing: every write of a session (checkpoint, wait, artifact, log lines, execution update) carries
 *   its {@link LeaseFence}. A store applies it only while the fence is the execution's current lease,
 *   checked atomically with the write (one statement, one transaction, or under the execution's lock),
 *   and otherwise throws `LeaseLostError` and writes nothing. Writes without a fence (tools, copies,
 *   operators) are not checked. Blobs need no fence: they are content-addressed, so a late write of one
 *   changes nothing.
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ store: lowdbStore('.keel') });
 * ```
 */
export interface Store {
  /**
   * The version of this contract the backend implements. `v2` added deployments and tags
   * (`createDeployment` … `deleteTag`); `v3` added the lease fence of session writes ({@link LeaseFence});
   * `v4` added {@link Store.writeCheckpoints} and {@link Store.getBlobs}, so a session records a call in
   * one round trip and a resume reads its outputs in a few, and the optional {@link Store.claimQueued},
   * so workers sharing a store take queued executions without racing each other.
   */
  readonly specificationVersion: 'v4';

  /** A short name for messages and surfaces: `memory`, `lowdb`, `sqlite`, `postgres`. */
  readonly name: string;

  /** A human-readable description of where the data lives (a folder, a file, a URL without password). */
  readonly location: string;

  // ── executions ────────────────────────────────────────────────────────────────────────────

  /**
   * Stores a new execution with `version: 1`.
   * @param record - The execution without `version` and `updatedAt`, which the store sets.
   * @returns The stored record.
   * @throws when an execution with the same id exists.
   */
  createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord>;

  /** @returns The execution, or `null` when there is none with this id. */
  getExecution(id: string): Promise<ExecutionRecord | null>;

  /**
   * Applies `patch` to an execution, increasing its version and setting `updatedAt`.
   * @param condition - When `version` is given, the update applies only if the stored version equals it;
   *   otherwise the result is a `conflict` carrying the current record, and nothing changes. When `fence`
   *   is given and is not the execution's current lease, nothing changes and the call throws `LeaseLostError`.
   */
  updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>>;

  /** Executions matching `filter`, newest first (ids sort by creation time). */
  listExecutions(filter?: ExecutionFilter): Promise<ExecutionRecord[]>;

  /**
   * Takes the oldest queued execution that `filter` accepts and starts it under `lease`, in one step:
   * it becomes `running` with that lease, `sessions` one more, `version` increased, `error` and
   * `endedAt` cleared. Claims made at the same time, by this or other processes, never take the same
   * execution, and pass over one another's rather than wait for them (PostgreSQL: `FOR UPDATE SKIP
   * LOCKED`).
   *
   * Optional. Without it, a worker lists what is queued and claims one with compare-and-set
   * ({@link Store.updateExecution}): just as correct, but workers that look at the same moment pick
   * the same execution, and all but one look again. Stores that many workers share implement it.
   * @returns The claimed execution as stored, or `null` when no queued execution matches.
   */
  claimQueued?(filter: ClaimFilter, lease: Lease): Promise<ExecutionRecord | null>;

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  /**
   * Inserts or replaces the record with the same `(executionId, id)`.
   * @param fence - The writing session's lease: when given, the write applies only while it is the
   *   execution's current lease; otherwise it throws `LeaseLostError` and writes nothing.
   */
  putCheckpoint(record: CheckpointRecord, fence?: LeaseFence): Promise<void>;

  /**
   * Writes blobs and checkpoint records as one step: the records land whole or not at all, never before
   * the blobs they reference. It is how a session records a call in one round trip.
   * @param fence - As for putCheckpoint: checked atomically with the write (same statement, transaction
   *   or lock); when it is not the execution's current lease no record is written and it throws
   *   `LeaseLostError` (blobs may remain: they are content-addressed, so that is harmless).
   * @returns What the fenced step read of the execution: whether a cancel was requested, so the session
   *   needs no separate read to notice one.
   */
  writeCheckpoints(write: CheckpointWrite, fence?: LeaseFence): Promise<CheckpointWriteReceipt>;

  /** @returns The record, or `null`. */
  getCheckpoint(executionId: string, id: string): Promise<CheckpointRecord | null>;

  /** All checkpoint records of an execution, ordered by `seq`. Empty for an unknown execution. */
  listCheckpoints(executionId: string): Promise<CheckpointRecord[]>;

  // ── waits ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Inserts or replaces the wait with the same `(executionId, id)`.
   * @param fence - As for {@link Store.putCheckpoint}.
   */
  putWait(record: WaitRecord, fence?: LeaseFence): Promise<void>;

  /** @returns The wait, or `null`. */
  getWait(executionId: string, id: string): Promise<WaitRecord | null>;

  /** The waits of an execution in creation order, optionally only those with a given status. */
  listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]>;

  /**
   * Gives a pending wait its input: sets `status: 'resolved'`, `input`, `resolvedBy`, `resolvedAt`.
   * Applies only while the wait is `pending`; otherwise the result is a `conflict` with the current
   * wait, so two answers to one question never both count.
   */
  resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>>;

  // ── artifacts and blobs ───────────────────────────────────────────────────────────────────

  /**
   * Inserts or replaces the artifact with the same `(executionId, name)`.
   * @param fence - As for {@link Store.putCheckpoint}.
   */
  putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void>;

  /** @returns The artifact, or `null`. */
  getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null>;

  /** The artifacts of an execution, in the order they were first saved. */
  listArtifacts(executionId: string): Promise<ArtifactRecord[]>;

  /**
   * Stores a blob under its content hash. Storing the same hash again is a cheap no-op, which is
   * what makes payloads stored once however often they are referenced.
   */
  putBlob(hash: string, content: string): Promise<void>;

  /** @returns The blob's content, or `null`. */
  getBlob(hash: string): Promise<string | null>;

  /**
   * Reads many blobs in one step (a resume reads thousands).
   * @returns A map from hash to content holding the hashes found; missing ones are absent.
   */
  getBlobs(hashes: readonly string[]): Promise<Map<string, string>>;

  // ── logs ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Appends log lines (of one or several executions), keeping their order.
   * @param fence - As for {@link Store.putCheckpoint}; a fenced batch holds the lines of one execution,
   *   and lands whole or not at all.
   */
  appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void>;

  /**
   * The log lines of an execution in the order they were appended.
   * @param options.offset - Skip this many lines (for following a live log).
   */
  listLogs(executionId: string, options?: { readonly offset?: number; readonly limit?: number }): Promise<LogRecord[]>;

  // ── deployments and tags ──────────────────────────────────────────────────────────────────

  /**
   * Registers a flow version. Deployments are immutable: when `(flow, version)` exists the result is a
   * `conflict` carrying the stored record, and nothing changes.
   */
  createDeployment(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>>;

  /** @returns The deployment, or `null`. */
  getDeployment(flow: string, version: string): Promise<DeploymentRecord | null>;

  /** Deployments, optionally of one flow, oldest first (by `deployedAt`, then version). */
  listDeployments(filter?: { readonly flow?: string }): Promise<DeploymentRecord[]>;

  /** Removes a deployment. @returns whether there was one. */
  deleteDeployment(flow: string, version: string): Promise<boolean>;

  /** Inserts or replaces the tag with the same `(flow, tag)`: moving a tag is putting it again. */
  putTag(record: FlowTagRecord): Promise<void>;

  /** @returns The tag, or `null`. */
  getTag(flow: string, tag: string): Promise<FlowTagRecord | null>;

  /** Tags, optionally of one flow, ordered by flow then tag. */
  listTags(filter?: { readonly flow?: string }): Promise<FlowTagRecord[]>;

  /** Removes a tag. @returns whether there was one. */
  deleteTag(flow: string, tag: string): Promise<boolean>;

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  /** Releases files, connections and timers. The store is not used afterwards. */
  close(): Promise<void>;
}
