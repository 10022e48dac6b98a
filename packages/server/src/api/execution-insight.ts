import type { CheckpointRecord, ExecutionRecord, LogRecord, Runtime, Store, WaitRecord } from '@keel/core';
import { ExecutionNotFoundError, costRollup, type CostRollup } from '@keel/core';
import { checkpointView, type CheckpointFacts, type CheckpointView } from './checkpoint-view.js';
import { executionStats, modelCosts, usageTotals, type ExecutionStats } from './execution-stats.js';
import type { ReuseView } from './execution-view.js';
import { inferReuse } from './reuse-inference.js';

/** What the API derives from an execution's records: statistics, reuse, and where it failed. */
export interface ExecutionInsight {
  readonly record: ExecutionRecord;
  readonly records: readonly CheckpointRecord[];
  readonly waits: readonly WaitRecord[];
  readonly stats: ExecutionStats;
  readonly reused: ReadonlySet<string>;
  /** What its checkpoint views need: reuse, model call costs, costs per subtree. */
  readonly facts: CheckpointFacts;
  /** Its model calls' costs: in total, spent live, reused by a replay, and per subtree. */
  readonly cost: CostRollup;
  readonly reuse?: ReuseView;
  readonly failedCheckpoint?: CheckpointView;
}

/** Loads an execution's records (payloads left in the store) and derives its insight. */
export async function executionInsight(runtime: Runtime, executionId: string): Promise<ExecutionInsight> {
  const store = await runtime.store();
  const record = await store.getExecution(executionId);
  if (!record) throw new ExecutionNotFoundError({ executionId, store: store.location });
  const [records, waits] = await Promise.all([store.listCheckpoints(executionId), store.listWaits(executionId)]);
  const logs = await sessionLogs(store, record, waits);
  const inference = inferReuse(record, records, waits, logs);
  const reused = inference?.ids ?? new Set<string>();
  const [costs, cost] = await Promise.all([modelCosts(records), costRollup(records)]);
  const facts: CheckpointFacts = { reused, costs, subtrees: cost.byCheckpoint };
  const reuse: ReuseView | undefined = inference && {
    basis: inference.basis,
    session: inference.session,
    ...(inference.since !== undefined ? { since: inference.since } : {}),
    ids: [...inference.ids],
    ...usageTotals(
      records.filter((checkpoint) => inference.ids.has(checkpoint.id)),
      costs,
    ),
  };
  const failed = failedCheckpointOf(records);
  return {
    record,
    records,
    waits,
    stats: executionStats(records, costs),
    reused,
    facts,
    cost,
    ...(reuse ? { reuse } : {}),
    ...(failed ? { failedCheckpoint: checkpointView(failed, facts, false) } : {}),
  };
}

/**
 * The log lines reuse inference needs: only when a resumed execution has no answered wait to date its
 * latest session by (reading a long log on every look would be wasteful otherwise).
 */
async function sessionLogs(store: Store, record: ExecutionRecord, waits: readonly WaitRecord[]): Promise<LogRecord[]> {
  if (record.sessions < 2 || record.replayOf || waits.some((wait) => wait.resolvedAt !== undefined)) return [];
  return store.listLogs(record.id);
}

/**
 * Where a failed run broke: the failed checkpoint with no failed checkpoint inside it (a parent fails
 * because its child did), earliest first.
 */
export function failedCheckpointOf(records: readonly CheckpointRecord[]): CheckpointRecord | undefined {
  const failed = records.filter((record) => record.status === 'failed');
  return failed.find((record) => !failed.some((other) => other.id.startsWith(`${record.id}/`)));
}
