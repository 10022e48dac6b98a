import type { CheckpointRecord, ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Budget } from './budget.js';
import { CheckpointNotFoundError } from '../errors/checkpoint-not-found-error.js';
import { newExecutionId } from '../ids.js';
import { storePayload } from '../serialization/payloads.js';
import { executionMetadata, reusedFromKey } from './execution-budget.js';
import { firstChangedCall } from './first-changed-call.js';
import { leaseFor } from './lease.js';
import { RecordedAnswers, type ActiveChange } from './recorded-answers.js';
import { summarizeChange } from './replay-change.js';
import type { ReplayOptions } from './types.js';

/** Who creates the replay, and for which flow and code version. */
export interface ReplayCreator {
  /** The flow the original ran (its name and budget settle the replay's metadata). */
  readonly flow: { readonly name: string; readonly options: { readonly budget?: Budget } };
  /** The code version this runtime runs the flow with, recorded on the replay. */
  readonly version: string | undefined;
  /** This runtime's lease owner: the replay starts `running`, leased to it. */
  readonly ownerId: string;
  /** How long the replay's first lease lasts. */
  readonly leaseTtlMs: number;
}

/** A replay created in the store, ready to run. */
export interface CreatedReplay {
  /** The new execution, `running` and leased to the creator. */
  readonly execution: ExecutionRecord;
  /** The checkpoints copied into it (reused and overridden), in call order. */
  readonly records: readonly CheckpointRecord[];
  /** With `options.change`: the change and the original's answers, for the replay's session. */
  readonly change: ActiveChange | undefined;
}

/**
 * Creates the execution a replay runs as: a new execution of the original's flow and input that
 * reuses the original's completed checkpoints up to where the replay runs live (`from`, the earliest
 * override of a live replay, or the first call a change affects), with the overrides stored as completed
 * checkpoints. Fails with `CheckpointNotFoundError`, before writing anything, when `from` or an override
 * names a checkpoint the original does not have.
 */
export async function createReplayExecution(store: Store, original: ExecutionRecord, options: ReplayOptions, creator: ReplayCreator): Promise<CreatedReplay> {
  const { flow, version } = creator;
  const records = await store.listCheckpoints(original.id);
  const byId = new Map(records.map((record) => [record.id, record]));
  const known = records.map((record) => record.id);
  const overrides = options.overrides ?? {};
  for (const id of [...(options.from !== undefined ? [options.from] : []), ...Object.keys(overrides)]) {
    if (!byId.has(id)) throw new CheckpointNotFoundError({ executionId: original.id, checkpointId: id, known });
  }
  // A live replay with overrides and no `from` re-runs what follows the earliest overridden
  // checkpoint: an output is replaced to see what the rest of the run does with it. A hermetic one
  // runs nothing live, so it keeps every other record (the flow's own code sees the new value).
  const earliestOverride = options.hermetic
    ? undefined
    : Object.keys(overrides)
        .map((id) => byId.get(id)!)
        .sort((a, b) => a.seq - b.seq)[0];
  const changeStart = options.change && firstChangedCall(records, options.change);
  const from = options.from !== undefined ? byId.get(options.from)! : earliest(earliestOverride, changeStart);
  const reused = records.filter(
    (record) =>
      // Completed calls that opted out of durability are copied too: they run again anyway, and a
      // hermetic replay must not count them as missing.
      record.status === 'completed' && !(record.id in overrides) && (from === undefined || (record.seq < from.seq && !from.id.startsWith(`${record.id}/`))),
  );
  const now = Date.now();
  const execution = await store.createExecution({
    id: options.executionId ?? newExecutionId(now),
    flow: flow.name,
    status: 'running',
    input: original.input,
    lease: leaseFor(creator.ownerId, creator.leaseTtlMs, now),
    sessions: 1,
    createdAt: now,
    replayOf: {
      executionId: original.id,
      // A change's replay records where the change made it start running live.
      ...(options.from !== undefined ? { from: options.from } : options.change && from ? { from: from.id } : {}),
      overridden: Object.keys(overrides),
      hermetic: options.hermetic ?? false,
      ...(original.codeVersion !== undefined ? { codeVersion: original.codeVersion } : {}),
      ...(options.change ? { change: summarizeChange(options.change, experimentOf(options.metadata)) } : {}),
    },
    ...(version !== undefined ? { codeVersion: version } : {}),
    ...executionMetadata(flow, options),
  });
  const copied: CheckpointRecord[] = [];
  // Marked as reused: the original spent what they cost, the replay did not.
  for (const record of reused) copied.push({ ...record, executionId: execution.id, metadata: { ...record.metadata, [reusedFromKey]: original.id } });
  for (const [id, value] of Object.entries(overrides)) {
    const record = byId.get(id)!;
    const { error: _error, ...rest } = record;
    copied.push({
      ...rest,
      executionId: execution.id,
      status: 'completed',
      output: await storePayload(store, value, `the override for checkpoint "${id}"`),
      endedAt: rest.endedAt ?? now,
      metadata: { ...record.metadata, overridden: true },
    });
  }
  copied.sort((a, b) => a.seq - b.seq);
  for (const record of copied) await store.putCheckpoint(record);
  const change = options.change && { change: options.change, answers: new RecordedAnswers(records), original: original.id };
  return { execution, records: copied, change };
}

function earliest(left: CheckpointRecord | undefined, right: CheckpointRecord | undefined): CheckpointRecord | undefined {
  if (!left || !right) return left ?? right;
  return left.seq <= right.seq ? left : right;
}

function experimentOf(metadata: Readonly<Record<string, unknown>> | undefined): string | undefined {
  return typeof metadata?.experiment === 'string' ? metadata.experiment : undefined;
}
