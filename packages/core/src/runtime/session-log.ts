import type { LeaseFence, LogLevel, LogRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * The log lines of one session: queued, and written in order, in batches. While a resumed body is
 * still replaying what an earlier session did (no call has run live yet), its lines were written by
 * that session already, so they are not written twice.
 */
export class SessionLog {
  #lines: LogRecord[] = [];
  #flush: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly executionId: string,
    private readonly session: number,
    /** The session's lease: the store refuses the lines of a session that lost it. */
    private readonly fence: LeaseFence,
    /** Whether the body is still replaying what earlier sessions did. */
    private readonly replaying: () => boolean,
  ) {}

  /** Queues a line tied to a checkpoint (or the flow, `null`). */
  write(level: LogLevel, message: string, fields: Record<string, unknown> | undefined, checkpointId: string | null): void {
    if (this.replaying()) return;
    this.#lines.push({
      executionId: this.executionId,
      checkpointId,
      level,
      message,
      session: this.session,
      time: Date.now(),
      ...(fields !== undefined ? { fields: jsonFields(fields) } : {}),
    });
    if (this.#lines.length === 1) {
      this.#flush = this.#flush.then(
        () =>
          new Promise<void>((resolve) =>
            setImmediate(() => {
              const batch = this.#lines;
              this.#lines = [];
              this.store.appendLogs(batch, this.fence).then(resolve, resolve);
            }),
          ),
      );
    }
  }

  /** Writes what is queued. */
  async flush(): Promise<void> {
    await this.#flush;
    if (this.#lines.length) {
      const batch = this.#lines;
      this.#lines = [];
      await this.store.appendLogs(batch, this.fence);
    }
  }
}

function jsonFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
  } catch {
    return { unserializable: String(fields) };
  }
}
