import {
  ExecutionNotFoundError,
  executionLeaseState,
  type CheckpointRecord,
  type ExecutionRecord,
  type Runtime,
  type Store,
  type WaitRecord,
} from '@keel/core';
import { StoredPayloads } from './stored-payloads.js';

/** An execution's records as stored, with the payloads left in the store until an answer needs one. */
export interface ExecutionRecords {
  readonly store: Store;
  readonly payloads: StoredPayloads;
  readonly execution: ExecutionRecord;
  /** In start order. */
  readonly checkpoints: readonly CheckpointRecord[];
  readonly waits: readonly WaitRecord[];
}

/**
 * Loads an execution's record, checkpoints and waits.
 * @throws {ExecutionNotFoundError} naming the id and the store when there is no such execution.
 */
export async function loadExecutionRecords(runtime: Runtime, executionId: string): Promise<ExecutionRecords> {
  const store = await runtime.store();
  const execution = await store.getExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError({ executionId, store: store.location });
  const [checkpoints, waits] = await Promise.all([store.listCheckpoints(executionId), store.listWaits(executionId)]);
  return { store, payloads: new StoredPayloads(store, checkpoints), execution, checkpoints, waits };
}

/** Whether a running execution's holder is gone (core's `executionLeaseState`: its lease expired, or its process died). */
export function isAbandoned(execution: ExecutionRecord, now = Date.now()): boolean {
  return executionLeaseState(execution, now) === 'abandoned';
}
