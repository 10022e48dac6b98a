import type { CheckpointRecord } from '@keel/core';
import { oneLine } from './json-view.js';
import { modelUsageOf } from '@keel/core';

/** One checkpoint a retry (or resume) runs again, and why. */
export interface Rerun {
  readonly id: string;
  readonly kind: string;
  readonly why: string;
}

/** What running an execution's body again over its records would do. */
export interface RetryPlan {
  /** Checkpoints whose functions run again. */
  readonly reruns: readonly Rerun[];
  /** Completed checkpoints whose stored outputs are returned without running them. */
  readonly reused: readonly string[];
  /** How many of the reused are model calls, and the tokens they are not paying for again. */
  readonly reusedModelCalls: number;
  readonly reusedTokens: number;
}

/**
 * Works out what a retry or resume runs again: the body re-runs from the top; a completed, durable
 * checkpoint returns its stored output (and its children are not consulted); a failed or interrupted
 * one runs again, reusing its completed children; a `durable: false` one always runs again. Calls the
 * body had not reached yet run for the first time and are not listed (nobody knows them yet).
 */
export function retryPlan(records: readonly CheckpointRecord[]): RetryPlan {
  const byId = new Map(records.map((record) => [record.id, record]));
  const insideReused = (record: CheckpointRecord): boolean => {
    for (let parent = record.parentId; parent !== null;) {
      const ancestor = byId.get(parent);
      if (!ancestor) return false;
      if (ancestor.status === 'completed' && ancestor.durable) return true;
      parent = ancestor.parentId;
    }
    return false;
  };
  const reruns: Rerun[] = [];
  const reused: string[] = [];
  let reusedModelCalls = 0;
  let reusedTokens = 0;
  for (const record of [...records].sort((left, right) => left.seq - right.seq)) {
    if (insideReused(record)) continue;
    if (record.status === 'completed' && record.durable) {
      reused.push(record.id);
      if (record.kind === 'model') {
        reusedModelCalls += 1;
        reusedTokens += modelUsageOf(record.metadata)?.totalTokens ?? 0;
      }
      continue;
    }
    reruns.push({ id: record.id, kind: record.kind, why: whyRerun(record) });
  }
  return { reruns, reused, reusedModelCalls, reusedTokens };
}

function whyRerun(record: CheckpointRecord): string {
  switch (record.status) {
    case 'failed':
      return `failed${record.error ? ` (${oneLine(`${record.error.name}: ${record.error.message}`, 120)})` : ''}: runs again`;
    case 'running':
      return record.delivery === 'at-most-once'
        ? 'an at-most-once call that started and never finished: not run again by itself; the execution waits for a decision ("rerun" or anything else to fail) on the wait named after it'
        : 'started and never finished (interrupted): runs again';
    case 'waiting':
      return 'was waiting: asks again unless its wait has input';
    default:
      return 'completed but not durable (durable: false): runs on every resume';
  }
}
