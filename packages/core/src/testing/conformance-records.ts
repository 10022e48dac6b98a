import type { CheckpointRecord } from '../store/records.js';

/** The moment the conformance suite's records are dated from (a fixed time keeps them deep-equal). */
export const conformanceBaseTime = 1_750_000_000_000;

/** A running `step` checkpoint record with only the required fields: `step:<seq + 1>` at `seq`. */
export function newCheckpoint(executionId: string, seq: number): CheckpointRecord {
  return {
    executionId,
    id: `step:${seq + 1}`,
    parentId: null,
    name: 'step',
    kind: 'step',
    status: 'running',
    seq,
    attempts: 1,
    delivery: 'at-least-once',
    durable: true,
    startedAt: conformanceBaseTime + seq,
  };
}
