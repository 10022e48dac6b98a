import { KeelError } from '../errors/keel-error.js';
import type { CheckpointRecord, CheckpointWrite } from './records.js';

/**
 * The execution a `writeCheckpoints` batch writes to, or `undefined` for a batch without records. A
 * batch is one session's write, fenced by that execution's lease, so its records are all of one
 * execution.
 * @throws when the records belong to several executions (nothing has been written then).
 */
export function checkpointWriteExecution(write: CheckpointWrite): string | undefined {
  const first = write.checkpoints[0];
  if (first === undefined) return undefined;
  const other = write.checkpoints.find((record) => record.executionId !== first.executionId);
  if (other !== undefined) {
    throw new KeelError(
      `writeCheckpoints takes the records of one execution; this batch has records of "${first.executionId}" and "${other.executionId}": ` +
        "write each execution's records in its own call.",
    );
  }
  return first.executionId;
}

/** How a `LeaseLostError` names a refused batch: `checkpoint "a:1"`, or the count and the first ids. */
export function describeCheckpointWrite(checkpoints: readonly CheckpointRecord[]): string {
  if (checkpoints.length === 1) return `checkpoint "${checkpoints[0]!.id}"`;
  const shown = checkpoints.slice(0, 3).map((record) => `"${record.id}"`);
  return `${checkpoints.length} checkpoints (${shown.join(', ')}${checkpoints.length > 3 ? ', …' : ''})`;
}
