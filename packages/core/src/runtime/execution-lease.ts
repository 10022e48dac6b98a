import { ExecutionNotFoundError } from '../errors/execution-not-found-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import type { ExecutionPatch, ExecutionRecord, LeaseFence } from '../store/records.js';
import type { Store } from '../store/store.js';
import { leaseFor } from './lease.js';

/** How often a running session looks for a cancel request from another process. */
const cancelPollMs = 1000;

/** What the lease tells its session, and asks of it. */
export interface LeaseEvents {
  /** Another process asked to cancel the execution. */
  cancelRequested(): void;
  /**
   * Another process holds the execution now (as read here, or as the store said refusing a write);
   * returns the error the session stops with.
   */
  leaseLost(cause: ExecutionRecord | LeaseLostError): Error;
  /** Whether the session stopped (cancelled, lost its lease): then there is nothing to renew. */
  stopped(): boolean;
}

/**
 * A session's hold on its execution: the record as last written, every update of it by
 * compare-and-set, and the heartbeat that renews the lease and watches for cancel requests and
 * takeovers by another process.
 */
export class ExecutionLease {
  #execution: ExecutionRecord;
  #writes: Promise<unknown> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly holder: { readonly ownerId: string; readonly leaseTtlMs: number },
    execution: ExecutionRecord,
    private readonly events: LeaseEvents,
  ) {
    this.#execution = execution;
    this.fence = { owner: holder.ownerId, session: execution.sessions };
  }

  /** The lease this session claimed, which the store checks on each of its writes. */
  readonly fence: LeaseFence;

  /** The execution as this session last wrote or read it. */
  get execution(): ExecutionRecord {
    return this.#execution;
  }

  /**
   * Updates the execution with compare-and-set, fenced by the session's lease. A conflict with a
   * write from elsewhere (a cancel request) is merged and retried; finding another owner's lease, or
   * the store refusing the fence, stops the session.
   */
  update(patch: ExecutionPatch): Promise<void> {
    const write = this.#writes.then(async () => {
      for (;;) {
        const result = await this.store
          .updateExecution(this.#execution.id, patch, { version: this.#execution.version, fence: this.fence })
          .catch((error: unknown) => {
            throw LeaseLostError.isInstance(error) ? this.events.leaseLost(error) : error;
          });
        if (result.ok) {
          this.#execution = result.record;
          return;
        }
        if (result.reason === 'not-found') throw new ExecutionNotFoundError({ executionId: this.#execution.id, store: this.store.location });
        const current = result.current;
        if (current.lease?.owner !== this.holder.ownerId) throw this.events.leaseLost(current);
        if (current.cancelRequested) this.events.cancelRequested();
        this.#execution = current;
      }
    });
    this.#writes = write.catch(() => {});
    return write;
  }

  /** Reads the execution: a cancel request or another owner's lease is reported to the session. */
  async look(): Promise<void> {
    const current = await this.store.getExecution(this.#execution.id);
    if (current?.cancelRequested) this.events.cancelRequested();
    else if (current && current.lease?.owner !== this.holder.ownerId) this.events.leaseLost(current);
  }

  /**
   * Renews the lease every third of its time to live, and looks at the execution every second for a
   * cancel request from another process (or a lease taken over), so a long call is aborted promptly
   * rather than at the next checkpoint.
   */
  startHeartbeat(): void {
    const renewEvery = Math.max(50, Math.floor(this.holder.leaseTtlMs / 3));
    const lookEvery = Math.min(cancelPollMs, renewEvery);
    let sinceRenewal = 0;
    this.#heartbeat = setInterval(() => {
      if (this.events.stopped()) return;
      sinceRenewal += lookEvery;
      if (sinceRenewal >= renewEvery) {
        sinceRenewal = 0;
        this.update({ lease: leaseFor(this.holder.ownerId, this.holder.leaseTtlMs) }).catch(() => {});
      } else {
        this.look().catch(() => {});
      }
    }, lookEvery);
    this.#heartbeat.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
  }
}
