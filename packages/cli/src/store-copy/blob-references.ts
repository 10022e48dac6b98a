import type { ArtifactRecord, CheckpointRecord, ErrorRecord, ExecutionRecord, PayloadRef, WaitRecord } from '@keel/core';

/** The blob hashes an execution's own records point at directly (payload refs and error payloads). */
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

/**
 * The blob hashes a blob's content refers to: core stores a model conversation message by message, and
 * the request blob then holds `{"$keel":"BlobList","value":[hashes]}` in place of the messages. Content
 * that is not JSON refers to nothing.
 */
export function nestedBlobHashes(content: string): string[] {
  if (!content.includes('BlobList')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [];
  }
  const hashes: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const object = value as Record<string, unknown>;
    if (object.$keel === 'BlobList' && Array.isArray(object.value)) {
      for (const hash of object.value) if (typeof hash === 'string') hashes.push(hash);
      return;
    }
    for (const item of Object.values(object)) visit(item);
  };
  visit(parsed);
  return hashes;
}
