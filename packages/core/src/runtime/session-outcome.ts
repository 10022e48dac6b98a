import { ExecutionCancelledError } from '../errors/execution-cancelled-error.js';
import { encodePayload } from '../serialization/payloads.js';
import type { ExecutionPatch, LeaseFence } from '../store/records.js';
import type { Store } from '../store/store.js';
import { artifactTypeOf } from './artifact-type.js';
import { toErrorRecord } from './error-records.js';
import { toPendingWait } from './pending-wait.js';
import type { Halt } from './session-halt.js';
import type { RunResult } from './types.js';

/** How a session's body ended: it returned, it threw, or the session halted first. */
export type Outcome = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'halted' };

/** What recording a session's outcome uses of the session. */
export interface OutcomeHost {
  readonly executionId: string;
  /** The flow's name, for the message of an output that cannot be stored. */
  readonly flow: string;
  readonly store: Store;
  /** The session's lease, which the output artifact's write carries. */
  readonly fence: LeaseFence;
  /** Why the session halted, or `null` when its body ended on its own. */
  readonly halt: Halt | null;
  /** Updates the execution with compare-and-set, fenced by the session's lease. */
  updateExecution(patch: ExecutionPatch): Promise<void>;
}

/**
 * Records how a session ended as the execution's new state: completed with its output (stored as the
 * `output` artifact too), failed with its error, cancelled, or waiting at its pending waits. A session
 * that lost its lease or its store records nothing: it throws why.
 */
export async function recordOutcome<Output>(session: OutcomeHost, outcome: Outcome): Promise<RunResult<Output>> {
  const halt = session.halt;
  if (halt?.reason === 'lease-lost' || halt?.reason === 'store-failed') throw halt.error;
  const now = Date.now();
  if (halt?.reason === 'cancelled') {
    const error = new ExecutionCancelledError({ executionId: session.executionId });
    await session.updateExecution({
      status: 'cancelled',
      error: await toErrorRecord(session.store, error),
      lease: null,
      cancelRequested: null,
      endedAt: now,
    });
    return { executionId: session.executionId, status: 'cancelled', error };
  }
  if (halt?.reason === 'suspended') {
    await session.updateExecution({ status: 'waiting', lease: null });
    const waits = await session.store.listWaits(session.executionId, { status: 'pending' });
    return { executionId: session.executionId, status: 'waiting', waits: waits.map(toPendingWait) };
  }
  if (outcome.kind === 'returned') {
    let output;
    try {
      output = encodePayload(outcome.value, `the output of flow "${session.flow}"`);
    } catch (error) {
      return fail(session, error);
    }
    await session.store.putBlob(output.ref.hash, output.text);
    await session.store.putArtifact(
      {
        executionId: session.executionId,
        name: 'output',
        type: artifactTypeOf(outcome.value),
        payload: output.ref,
        checkpointId: null,
        createdAt: now,
      },
      session.fence,
    );
    await session.updateExecution({ status: 'completed', output: output.ref, error: null, lease: null, endedAt: now });
    return { executionId: session.executionId, status: 'completed', output: outcome.value as Output };
  }
  return fail(session, outcome.kind === 'threw' ? outcome.error : new Error('flow ended without an outcome'));
}

/** Records the execution as failed with `error`. */
async function fail<Output>(session: OutcomeHost, error: unknown): Promise<RunResult<Output>> {
  await session.updateExecution({ status: 'failed', error: await toErrorRecord(session.store, error), lease: null, endedAt: Date.now() });
  return { executionId: session.executionId, status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}
