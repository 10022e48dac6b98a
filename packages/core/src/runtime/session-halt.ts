import { ExecutionCancelledError } from '../errors/execution-cancelled-error.js';
import { ExecutionLeasedError } from '../errors/execution-leased-error.js';
import { ExecutionStateError } from '../errors/execution-state-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import type { ExecutionRecord } from '../store/records.js';

/** Why a session stopped running its body. */
export type Halt =
  | { readonly reason: 'suspended' }
  | { readonly reason: 'cancelled' }
  /** Another process holds the execution now: nothing more is written. */
  | { readonly reason: 'lease-lost'; readonly error: Error }
  /** A write to the store failed: the session cannot record what happens next, so it records nothing more. */
  | { readonly reason: 'store-failed'; readonly error: Error };

const never = new Promise<never>(() => {});

/**
 * How a session stops: at a wait (suspended), cancelled, or stopped (its lease lost, its store
 * failed). The first reason wins, except that losing the lease or the store overrides a suspension or
 * a cancel (then nothing more may be written). Stopping aborts the session's signal, so the calls in
 * flight see it, and settles {@link halted}, so the session stops waiting for its body.
 */
export class SessionHalt {
  /** Aborted when the session is cancelled or stopped; calls get a signal that follows it. */
  readonly controller = new AbortController();
  /** Settles when the session halts for any reason. */
  readonly halted: Promise<void>;
  #halt: Halt | null = null;
  #signal!: () => void;

  constructor(
    private readonly executionId: string,
    /** Told when the session halts, so it looks at its calls in flight again. */
    private readonly changed: () => void,
  ) {
    this.halted = new Promise((resolve) => (this.#signal = resolve));
  }

  /** Why the session halted, or `null` while it runs. */
  get current(): Halt | null {
    return this.#halt;
  }

  /** Whether the session was cancelled or stopped (a suspension is not). */
  get stopped(): boolean {
    return this.#halt !== null && this.#halt.reason !== 'suspended';
  }

  /** Whether the session stopped writing: its lease was lost, or its store failed. */
  get writesStopped(): boolean {
    return this.#halt?.reason === 'lease-lost' || this.#halt?.reason === 'store-failed';
  }

  /** Stops the session at a wait (unless it halted already). */
  suspend(): void {
    if (!this.#halt) this.#set({ reason: 'suspended' });
    this.changed();
  }

  /** Cancels the execution: the signal aborts, and the next checkpoint throws. */
  cancel(): void {
    if (this.#halt?.reason === 'cancelled' || this.writesStopped) return;
    this.#set({ reason: 'cancelled' }, new ExecutionCancelledError({ executionId: this.executionId }));
  }

  /** Stops the session: the execution, as read (`cause`) or as the store refusing a write said, is another's now. */
  loseLease(cause: ExecutionRecord | LeaseLostError): void {
    if (this.writesStopped) return;
    const error = LeaseLostError.isInstance(cause)
      ? cause
      : cause.lease
        ? new ExecutionLeasedError({ executionId: this.executionId, lease: cause.lease })
        : new ExecutionStateError({
            executionId: this.executionId,
            status: cause.status,
            operation: 'keep running',
            hint: 'It lost its lease; this process stopped running it.',
          });
    this.#set({ reason: 'lease-lost', error }, error);
  }

  /**
   * Stops the session after a write to the store failed (it stayed unreachable past its retries):
   * what the session does next could not be recorded, and recording the failure itself (the call's,
   * or the flow's, once the store is back) would fail an execution that only lost its store for a
   * while. So it writes nothing more, as if the process had died: the execution keeps its lease until
   * it expires, and a worker continues it, re-running the call whose result was not recorded.
   */
  stopWriting(error: Error): void {
    if (this.writesStopped) return;
    this.#set({ reason: 'store-failed', error }, error);
  }

  /**
   * Throws when the session was cancelled or stopped. Nothing is read for it: a cancel request from
   * another process reaches the session with the receipt of its next write, or the heartbeat's look.
   */
  throwIfStopped(): void {
    if (this.stopped) throw this.controller.signal.reason;
  }

  /** What a call made after the halt gets: a promise that never settles after a suspension, else the reason. */
  after<T>(): Promise<T> {
    if (this.#halt?.reason === 'suspended') return never;
    return Promise.reject(this.controller.signal.reason ?? new ExecutionCancelledError({ executionId: this.executionId }));
  }

  #set(halt: Halt, abort?: Error): void {
    this.#halt = halt;
    if (abort !== undefined) this.controller.abort(abort);
    this.#signal();
    this.changed();
  }
}
