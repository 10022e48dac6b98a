import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ExecutionCancelledError } from '../errors/execution-cancelled-error.js';
import { ExecutionStateError } from '../errors/execution-state-error.js';
import { toErrorRecord } from './error-records.js';
import { getExecution } from './execution-reads.js';
import { isLeaseAbandoned } from './lease.js';

/**
 * Cancels an execution. One running in this runtime (`liveSession`) is told to stop, and one a live
 * process elsewhere holds is marked `cancelRequested` for its holder: both answer `cancelling`. Any other
 * unfinished one becomes `cancelled` at once. A completed or cancelled one fails with
 * `ExecutionStateError`. A concurrent change to the record makes it look again.
 */
export async function cancelExecution(
  store: Store,
  executionId: string,
  liveSession: (executionId: string) => { cancel(): void } | undefined,
): Promise<{ status: ExecutionRecord['status'] | 'cancelling' }> {
  for (;;) {
    const execution = await getExecution(store, executionId);
    const live = liveSession(executionId);
    if (live) {
      live.cancel();
      return { status: 'cancelling' };
    }
    if (execution.status === 'completed' || execution.status === 'cancelled') {
      throw new ExecutionStateError({ executionId, status: execution.status, operation: 'cancel' });
    }
    const heldElsewhere = execution.status === 'running' && execution.lease !== null && !isLeaseAbandoned(execution.lease);
    const patch = heldElsewhere
      ? { cancelRequested: true }
      : {
          status: 'cancelled' as const,
          lease: null,
          endedAt: Date.now(),
          error: await toErrorRecord(store, new ExecutionCancelledError({ executionId })),
        };
    const result = await store.updateExecution(executionId, patch, { version: execution.version });
    if (result.ok) return { status: heldElsewhere ? 'cancelling' : 'cancelled' };
  }
}
