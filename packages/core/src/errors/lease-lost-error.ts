import type { ExecutionRecord, LeaseFence } from '../store/records.js';
import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * A store refused a write of a session that no longer holds its execution's lease: another process
 * took the execution over (this one was paused or cut off past the lease's expiry), or the execution
 * ended. Nothing was written; the current holder's records stand.
 */
export class LeaseLostError extends KeelError {
  readonly executionId: string;
  /** What was refused, e.g. `checkpoint "search:1"`. */
  readonly write: string;
  /** The lease the write came with. */
  readonly fence: LeaseFence;
  /** Who holds the execution now (`null`: nobody), and which session it is in; absent when it does not exist. */
  readonly current: { readonly owner: string | null; readonly session: number; readonly status: ExecutionRecord['status'] } | undefined;

  constructor({
    executionId,
    write,
    fence,
    current,
    store,
  }: {
    executionId: string;
    write: string;
    fence: LeaseFence;
    current: ExecutionRecord | null;
    store: string;
  }) {
    const now =
      current === null
        ? 'the execution does not exist there'
        : current.lease === null
          ? `nobody holds it now (it is ${current.status}, session ${current.sessions})`
          : `it is held by ${current.lease.owner} in session ${current.sessions}`;
    super(
      `The store ${store} refused the write of ${write} of execution "${executionId}" by ${fence.owner} in session ${fence.session}: ` +
        `${now}. This process lost its lease (it was paused or cut off past the lease's expiry) and stops running the execution; ` +
        'nothing was written, and what the current holder recorded stands.',
    );
    this.executionId = executionId;
    this.write = write;
    this.fence = fence;
    this.current = current === null ? undefined : { owner: current.lease?.owner ?? null, session: current.sessions, status: current.status };
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'LeaseLostError';

  static override isInstance = isKeelErrorNamed<LeaseLostError>('LeaseLostError');
}
