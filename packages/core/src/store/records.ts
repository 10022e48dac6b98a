/**
 * The records a {@link Store} keeps. They are plain JSON (no classes, no Dates: times are epoch
 * milliseconds) so every backend can store them as they are and every surface can read them.
 *
 * @module
 */

import type { ReplayChangeSummary } from '../runtime/replay-change.js';

/** Where an execution is in its life. See DESIGN §2. */
export type ExecutionStatus =
  /** Created, not started yet: a worker will pick it up. */
  | 'queued'
  /** A process holds the lease and is running the body (or died holding it: see `lease`). */
  | 'running'
  /** Stopped at one or more waits that have no input yet; no process needs to be alive. */
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** What kind of call a checkpoint records. */
export type CheckpointKind = 'step' | 'model' | 'tool' | 'mcp' | 'wait';

/** A stored value: the hash of its serialized form in the blob store, and that form's size in bytes. */
export interface PayloadRef {
  /** `sha256:<hex>` of the serialized text. */
  readonly hash: string;
  /** Size of the serialized text in bytes. */
  readonly size: number;
}

/** An error as stored: enough to show it to a person and to rebuild an `Error` for code. */
export interface ErrorRecord {
  /** The error's class name (`TypeError`, `DivergenceError`, …). */
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A `code` property, when the error had one (`ECONNRESET`, `rate_limit_exceeded`, …). */
  readonly code?: string;
  /** The whole error, serialized with Keel's codec, so `cause` and own fields survive. */
  readonly payload?: PayloadRef;
}

/** Who runs an execution right now. Taken and renewed with compare-and-set on the execution. */
export interface Lease {
  /** A unique id of the runtime instance that holds it. */
  readonly owner: string;
  /** Host name of the holder, so a holder on the same machine that died can be detected at once. */
  readonly host: string;
  /** Process id of the holder on `host`. */
  readonly pid: number;
  /** Epoch ms after which the lease counts as abandoned. */
  readonly expiresAt: number;
}

/**
 * The proof a write comes from the session that holds its execution's lease (a fencing token): the
 * lease's owner and the session number it was claimed for ({@link ExecutionRecord.sessions}, which
 * every claim increases). A store refuses a write whose fence is not the execution's current lease
 * with `LeaseLostError`, checked in the same step as the write, so a holder that was paused past its
 * lease and taken over never writes over the new holder's records.
 */
export interface LeaseFence {
  /** {@link Lease.owner} of the writing session. */
  readonly owner: string;
  /** The session number the lease was claimed for. */
  readonly session: number;
}

/**
 * Which queued executions a worker can run (see `Store.claimQueued`): per flow it defines, the code
 * versions it continues. An execution of one of these flows matches when it records no code version,
 * or one of `codeVersions`; `'*'` among them matches any.
 */
export interface ClaimFilter {
  readonly flows: readonly { readonly flow: string; readonly codeVersions: readonly string[] }[];
}

/** How a replay execution relates to the one it replays. */
export interface ReplayOrigin {
  /** The execution that was replayed. */
  readonly executionId: string;
  /** The checkpoint the replay re-ran live from, if one was given. */
  readonly from?: string;
  /** Checkpoint ids whose outputs were overridden. */
  readonly overridden: readonly string[];
  /** Whether a call with no record failed instead of running live. */
  readonly hermetic: boolean;
  /** The code version the replayed execution was started with (the replay runs on its own). */
  readonly codeVersion?: string;
  /** The change the replay ran with (see `ReplayOptions.change`), as JSON. */
  readonly change?: ReplayChangeSummary;
}

/** One invocation of a flow. */
export interface ExecutionRecord {
  readonly id: string;
  /** The flow's registered name. */
  readonly flow: string;
  readonly status: ExecutionStatus;
  /** The flow's input, serialized. */
  readonly input: PayloadRef;
  /** The flow's return value, once completed. */
  readonly output?: PayloadRef;
  /** Why the execution failed (or was cancelled). */
  readonly error?: ErrorRecord;
  /**
   * The code version that started the execution. Only a runtime of that version, or one that declares
   * it compatible, continues the execution. Absent on executions recorded before versions existed.
   */
  readonly codeVersion?: string;
  /** Set when this execution is a replay of another. */
  readonly replayOf?: ReplayOrigin;
  /** The lease of the process running it; `null` when nobody holds it. */
  readonly lease: Lease | null;
  /** Set by `cancel` while another process runs the body: that process stops at its next checkpoint. */
  readonly cancelRequested?: boolean;
  /** How many times a body was started for this execution (run, resume, retry each count one). */
  readonly sessions: number;
  /** Free-form, small, JSON: labels that surfaces can filter and show. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly endedAt?: number;
  /**
   * Increased by the store on every update. Writers pass the version they read to
   * {@link Store.updateExecution} so that two writers never overwrite each other.
   */
  readonly version: number;
}

/** A checkpoint's state. `running` means started and not finished: in flight, or interrupted. */
export type CheckpointStatus = 'running' | 'completed' | 'failed' | 'waiting';

/** How often a checkpoint's side effect may happen. */
export type Delivery = 'at-least-once' | 'at-most-once';

/** The record of one checkpoint of an execution. Upserted by `(executionId, id)`. */
export interface CheckpointRecord {
  readonly executionId: string;
  /** The path of `name:n` segments from the flow root, e.g. `publish:1/render:1`. */
  readonly id: string;
  /** The enclosing checkpoint's id, or `null` at flow scope. */
  readonly parentId: string | null;
  readonly name: string;
  readonly kind: CheckpointKind;
  readonly status: CheckpointStatus;
  /**
   * Start order within the execution, 0-based. Listing returns records in this order. Given when the
   * checkpoint first starts and kept when its record is put again (a re-run after an interruption keeps
   * its place), which lets a store file records by `seq`.
   */
  readonly seq: number;
  /** A hash of the normalized request, for calls made through adapters. */
  readonly fingerprint?: string;
  /** The captured input (prompt, tool arguments), per the capture policy. */
  readonly input?: PayloadRef;
  /** The stored result that replay returns. Absent for `durable: false` calls. */
  readonly output?: PayloadRef;
  readonly error?: ErrorRecord;
  /** Attempts made so far, counting retries and re-runs after interruptions. */
  readonly attempts: number;
  readonly delivery: Delivery;
  /** `false` when the call opted out of durability: it re-runs on replay and nothing is reused. */
  readonly durable: boolean;
  /** `false` when the call is identified by its key alone, not by its position among its siblings. */
  readonly ordered?: boolean;
  /**
   * The session (see {@link ExecutionRecord.sessions}) that last wrote the record: a record whose
   * session is older than the execution's latest was reused by that session, not re-run.
   */
  readonly session?: number;
  /** The code version of the session that last wrote the record (named by divergence errors). */
  readonly codeVersion?: string;
  /** Model id, token usage, finish reason, tool name …: small JSON for surfaces. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly startedAt: number;
  readonly endedAt?: number;
}

/** A content-addressed blob to store: `hash` is the content hash of `content`. */
export interface BlobWrite {
  readonly hash: string;
  readonly content: string;
}

/** A batch of one session's checkpoint writes (see `Store.writeCheckpoints`). */
export interface CheckpointWrite {
  /** Blobs the records reference, stored as by `putBlob` (an existing hash is a cheap no-op). */
  readonly blobs?: readonly BlobWrite[];
  /** Records to insert or replace by `(executionId, id)`, in this order; all of one execution. */
  readonly checkpoints: readonly CheckpointRecord[];
}

/** What the store saw of the execution in the same step that checked the fence. */
export interface CheckpointWriteReceipt {
  /** Whether a cancel has been requested for the execution (`false` for a write without a fence). */
  readonly cancelRequested: boolean;
}

/** A question an execution waits on. Upserted by `(executionId, id)`; its id is its checkpoint id. */
export interface WaitRecord {
  readonly executionId: string;
  /** The wait's checkpoint id, e.g. `approve_publish:1`. */
  readonly id: string;
  /** The name given to `wait()`, e.g. `approve_publish`. */
  readonly name: string;
  readonly status: 'pending' | 'resolved' | 'timed-out';
  readonly question?: string;
  /** JSON Schema of the expected input, so tools without the flow's code can validate and render it. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The input, once given. */
  readonly input?: PayloadRef;
  /** Who gave the input (`cli`, `http`, `mcp`, a user name …), when known. */
  readonly resolvedBy?: string;
  readonly createdAt: number;
  readonly resolvedAt?: number;
  /** Epoch ms after which the wait times out, when a timeout was given. */
  readonly expiresAt?: number;
}

/** A named value saved by an execution. Upserted by `(executionId, name)`. */
export interface ArtifactRecord {
  readonly executionId: string;
  readonly name: string;
  /** `json`, `text`, `markdown`, `binary`, or a media type. */
  readonly type: string;
  readonly payload: PayloadRef;
  /** The checkpoint that saved it, or `null` at flow scope. */
  readonly checkpointId: string | null;
  readonly createdAt: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log line of an execution. */
export interface LogRecord {
  readonly executionId: string;
  /** The checkpoint that was current when the line was written, or `null` at flow scope. */
  readonly checkpointId: string | null;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Which session (run, resume, retry) of the execution wrote it; see {@link ExecutionRecord.sessions}. */
  readonly session: number;
  readonly time: number;
}

/** What {@link Store.listExecutions} filters by. Every field is optional; all given fields must match. */
export interface ExecutionFilter {
  readonly flow?: string;
  readonly status?: ExecutionStatus | readonly ExecutionStatus[];
  /** Only executions created strictly before this id (ids sort by creation time): the paging cursor. */
  readonly before?: string;
  /** At most this many, newest first. */
  readonly limit?: number;
}

/**
 * The fields of an execution that an update may change. A field given as `null` is removed from the
 * record (for `lease`, `null` is stored: nobody holds it); a field left out stays as it is.
 */
export type ExecutionPatch = {
  readonly [K in PatchableExecutionField]?: NonNullable<ExecutionRecord[K]> | null;
};

/** The execution fields that {@link ExecutionPatch} may change. */
export type PatchableExecutionField = 'status' | 'output' | 'error' | 'lease' | 'cancelRequested' | 'sessions' | 'metadata' | 'endedAt' | 'codeVersion';

/** The outcome of a conditional update: the new record, or why it did not apply. */
export type UpdateResult<T> =
  | { readonly ok: true; readonly record: T }
  | { readonly ok: false; readonly reason: 'not-found' }
  | { readonly ok: false; readonly reason: 'conflict'; readonly current: T };

/**
 * A flow version registered by `keel deploy`: immutable once created. Invocations through a tag start
 * executions pinned to the version the tag points to.
 */
export interface DeploymentRecord {
  /** The flow's registered name. */
  readonly flow: string;
  /** The code version, as executions record it. */
  readonly version: string;
  /** JSON Schema of the flow's input, when the flow declared an input schema. */
  readonly inputSchema?: Readonly<Record<string, unknown>>;
  /**
   * A digest of what was deployed (the flow's source digest and input schema): deploying the same
   * version again with other content is refused.
   */
  readonly digest: string;
  readonly deployedAt: number;
  /** Who deployed it (a user name, a CI job), when known. */
  readonly deployedBy?: string;
  /** Small JSON labels (a git commit, a build URL …). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A named pointer (`prod`, `canary`) from a flow to one of its deployed versions. Upserted by `(flow, tag)`. */
export interface FlowTagRecord {
  readonly flow: string;
  readonly tag: string;
  /** The version new invocations through this tag are pinned to. */
  readonly version: string;
  readonly updatedAt: number;
  readonly updatedBy?: string;
}
