import type { BlobWrite, CheckpointRecord, LeaseFence, WaitRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ReplayHistory } from './replay-history.js';
import type { Scope } from './scope.js';

/**
 * What the parts of a session (its waits, its patch markers) use of it: its identity, its store and
 * history, and the few operations that change its state. The session hands this to them instead of
 * its private fields.
 */
export interface SessionInternals {
  readonly executionId: string;
  /** The session's number (see `ExecutionRecord.sessions`). */
  readonly number: number;
  readonly store: Store;
  /** The session's lease, which every write it makes carries (see {@link LeaseFence}). */
  readonly fence: LeaseFence;
  readonly history: ReplayHistory;
  /** Fail on any call that has no record, instead of running it live. */
  readonly hermetic: boolean;
  /** The session now does something no earlier session did: from here on its log lines are new. */
  goLive(): void;
  /** Whether the session may still write (it has not halted or ended). */
  canWrite(): boolean;
  /** The `codeVersion` a record gets: set when the running version is not the execution's own. */
  versionField(): { codeVersion?: string };
  /** The running code version, as a divergence error names it. */
  currentVersion(): { codeVersion?: string };
  /**
   * Writes checkpoint records and the blobs they reference in one store write, with the records
   * deferred so far, unless the session ended.
   */
  writeCheckpoints(records: readonly CheckpointRecord[], blobs?: readonly BlobWrite[]): Promise<void>;
  /**
   * Keeps a record (and its blobs) to be written with the session's next write: for a record that
   * must land before any later one, but need not be durable on its own (a patch marker).
   */
  deferCheckpoint(record: CheckpointRecord, blobs?: readonly BlobWrite[]): void;
  /** Writes a wait, fenced by the session's lease. */
  putWait(record: WaitRecord): Promise<void>;
  /** The original's answered wait with this id, when the session replays with a change. */
  recordedWait(id: string): CheckpointRecord | undefined;
  /** Stops the session at a wait in `scope`: the calls around it are blocked; nothing after runs. */
  suspend(scope: Scope): Promise<never>;
}
