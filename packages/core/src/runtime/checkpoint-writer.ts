import type { BlobWrite, CheckpointRecord, CheckpointWriteReceipt, LeaseFence } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * How long a deferred record (an at-least-once call's `running` record) may wait for a write to carry
 * it. A call still running after this is written on its own, so the dashboard shows it, and a crash
 * after that leaves it `running` with its attempt counted.
 */
export const deferredRecordDelayMs = 100;

/** What a {@link CheckpointWriter} needs from its session. */
export interface CheckpointWriterOptions {
  /** The session's store (watched: a failing call stops the session). */
  readonly store: Store;
  /** The session's lease, which every write carries. */
  readonly fence: LeaseFence;
  /** Runs before each store write; throws when the session may not write (ended, lease lost). */
  beforeWrite(): Promise<void>;
  /** The store's receipt of a write said a cancel was requested for the execution. */
  cancelRequested(): void;
}

interface QueuedWrite {
  readonly checkpoints: readonly CheckpointRecord[];
  readonly blobs: readonly BlobWrite[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The checkpoint writes of one session, made with as few store round trips as correctness allows:
 *
 * - A call's output blob and its completed record go in one `writeCheckpoints` call.
 * - A record that need not be durable yet (an at-least-once call's `running` record, a patch marker)
 *   is deferred: it rides along with the session's next write, or is written on its own after
 *   {@link deferredRecordDelayMs}. Every write carries every record deferred before it, so no record
 *   lands in the store without the records of the calls that started before it.
 * - Writes asked for while one is in flight are grouped into the next single write, in the order they
 *   were asked for, so the records of one call land in order and concurrent calls share round trips.
 */
export class CheckpointWriter {
  readonly #options: CheckpointWriterOptions;
  /** Deferred records by id, with the blobs they reference. */
  readonly #deferred = new Map<string, { readonly record: CheckpointRecord; readonly blobs: readonly BlobWrite[] }>();
  /** When the oldest deferred record was deferred. */
  #deferredSince = 0;
  /**
   * Fires when the oldest deferred record may be due. It is not cleared when a write takes the
   * deferred records (a session makes thousands of calls a second, and a timer each would cost more
   * than the write): when it fires with nothing due, it is armed again only for what is deferred then.
   */
  #timer: NodeJS.Timeout | undefined;
  #queue: QueuedWrite[] = [];
  #writing = false;

  constructor(options: CheckpointWriterOptions) {
    this.#options = options;
  }

  /**
   * Keeps `record` (and the blobs it references) to be written with the next write, or on its own
   * after {@link deferredRecordDelayMs}. A later write or deferral of the same id replaces it.
   */
  defer(record: CheckpointRecord, blobs: readonly BlobWrite[] = []): void {
    if (this.#deferred.size === 0) this.#deferredSince = Date.now();
    this.#deferred.set(record.id, { record, blobs });
    if (this.#timer === undefined) this.#arm(deferredRecordDelayMs);
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#deferred.size === 0) return;
      const waited = Date.now() - this.#deferredSince;
      // A failure stops the session through its watched store; nobody awaits this write.
      if (waited >= deferredRecordDelayMs) this.flush().catch(() => {});
      else this.#arm(deferredRecordDelayMs - waited);
    }, delay);
    this.#timer.unref();
  }

  /**
   * Writes `checkpoints` (in order) and the blobs they reference, together with every deferred record,
   * as one store write. Settles once they are durable.
   */
  write(checkpoints: readonly CheckpointRecord[], blobs: readonly BlobWrite[] = []): Promise<void> {
    // A record written now supersedes its deferred state; deferred records of other calls go along.
    for (const record of checkpoints) this.#deferred.delete(record.id);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ checkpoints, blobs, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  /** Writes the deferred records now, if there are any. */
  flush(): Promise<void> {
    return this.#deferred.size === 0 ? Promise.resolve() : this.write([]);
  }

  /** Whether records wait to be written. */
  get hasDeferred(): boolean {
    return this.#deferred.size > 0;
  }

  /** Stops the timer of deferred records (the session ended). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        const deferred = [...this.#deferred.values()];
        this.#deferred.clear();
        const checkpoints = [...deferred.map((entry) => entry.record), ...batch.flatMap((write) => write.checkpoints)];
        const blobs = uniqueBlobs([...deferred.flatMap((entry) => entry.blobs), ...batch.flatMap((write) => write.blobs)]);
        try {
          await this.#options.beforeWrite();
          const receipt: CheckpointWriteReceipt = await this.#options.store.writeCheckpoints({ blobs, checkpoints }, this.#options.fence);
          if (receipt.cancelRequested) this.#options.cancelRequested();
          for (const write of batch) write.resolve();
        } catch (error) {
          for (const write of batch) write.reject(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}

/** The blobs with their first occurrence of each hash (a grouped write often repeats one). */
function uniqueBlobs(blobs: readonly BlobWrite[]): BlobWrite[] {
  if (blobs.length < 2) return [...blobs];
  const byHash = new Map<string, BlobWrite>();
  for (const blob of blobs) if (!byHash.has(blob.hash)) byHash.set(blob.hash, blob);
  return [...byHash.values()];
}
