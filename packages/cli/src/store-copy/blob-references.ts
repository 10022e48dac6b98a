import type { ArtifactRecord, CheckpointRecord, ErrorRecord, ExecutionRecord, PayloadRef, WaitRecord } from '@keel/core';

/**
 * The blob hashes an execution's own records point at directly (payload refs and error payloads); the
 * blobs those refer to in turn (a model request's chain) are `blobReferences` of their content.
 */
export function recordBlobHashes(records: {
  readonly execution: ExecutionRecord;
  readonly checkpoints: readonly CheckpointRecord[];
  readonly waits: readonly WaitRecord[];
  readonly artifacts: readonly ArtifactRecord[];
}): string[] {
  const hashes: string[] = [];
  const add = (ref: PayloadRef | undefined) => {
    if (ref?.hash) hashes.push(ref.hash);
  };
  const addError = (error: ErrorRecord | undefined) => add(error?.payload);
  add(records.execution.input);
  add(records.execution.output);
  addError(records.execution.error);
  for (const checkpoint of records.checkpoints) {
    add(checkpoint.input);
    add(checkpoint.output);
    addError(checkpoint.error);
  }
  for (const wait of records.waits) add(wait.input);
  for (const artifact of records.artifacts) add(artifact.payload);
  return hashes;
}
