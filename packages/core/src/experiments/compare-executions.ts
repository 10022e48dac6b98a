import type { CheckpointRecord, ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { costOfModelCall } from '../runtime/model-cost.js';
import { modelUsageOf } from '../runtime/model-usage.js';
import type { ToolAnswerKind } from '../runtime/replay-change.js';
import { loadPayload } from '../serialization/payloads.js';
import type { MemberComparison, PriceFunction, SideStats, ToolAnswerCounts } from './experiment-types.js';
import { valueDiff } from './value-diff.js';

/** Compares a replay with its original: outputs, artifacts, the first differing checkpoint, model calls and tool answers. */
export async function compareExecutions(
  store: Store,
  original: ExecutionRecord,
  replay: ExecutionRecord,
  price: PriceFunction | undefined,
): Promise<MemberComparison> {
  const [before, after] = await Promise.all([store.listCheckpoints(original.id), store.listCheckpoints(replay.id)]);
  const sameOutput = original.output?.hash === replay.output?.hash;
  const outputDiff = sameOutput
    ? undefined
    : valueDiff(original.output && (await loadPayload(store, original.output)), replay.output && (await loadPayload(store, replay.output)));
  const firstDifference = firstDifferenceOf(before, after);
  return {
    output: { equal: sameOutput, ...(outputDiff !== undefined ? { diff: outputDiff } : {}) },
    artifacts: await artifactChanges(store, original.id, replay.id),
    ...(firstDifference ? { firstDifference } : {}),
    original: await sideStats(original, before, price),
    replay: await sideStats(replay, after, price),
    tools: toolAnswers(after),
  };
}

async function artifactChanges(store: Store, originalId: string, replayId: string): Promise<MemberComparison['artifacts']> {
  const [before, after] = await Promise.all([store.listArtifacts(originalId), store.listArtifacts(replayId)]);
  const beforeByName = new Map(before.map((artifact) => [artifact.name, artifact]));
  const afterByName = new Map(after.map((artifact) => [artifact.name, artifact]));
  const names = [...new Set([...beforeByName.keys(), ...afterByName.keys()])].filter((name) => name !== 'output'); // `output` is compared on its own.
  return Promise.all(
    names.map(async (name) => {
      const left = beforeByName.get(name);
      const right = afterByName.get(name);
      if (left?.payload.hash === right?.payload.hash) return { name, equal: true };
      const diff = valueDiff(left ? await loadPayload(store, left.payload) : undefined, right ? await loadPayload(store, right.payload) : undefined);
      return { name, equal: false, ...(diff !== undefined ? { diff } : {}) };
    }),
  );
}

/** The first checkpoint, in the original's order then the replay's new ones, whose outcome differs. */
function firstDifferenceOf(before: readonly CheckpointRecord[], after: readonly CheckpointRecord[]): MemberComparison['firstDifference'] {
  const replayed = new Map(after.map((record) => [record.id, record]));
  for (const record of before) {
    const other = replayed.get(record.id);
    if (!other) return { checkpointId: record.id, reason: 'not reached in the replay' };
    if (other.status !== record.status) return { checkpointId: record.id, reason: `${record.status} in the original, ${other.status} in the replay` };
    if (other.output?.hash !== record.output?.hash) return { checkpointId: record.id, reason: 'a different result' };
  }
  const recorded = new Set(before.map((record) => record.id));
  const added = after.find((record) => !recorded.has(record.id));
  return added && { checkpointId: added.id, reason: 'new in the replay' };
}

/** Model calls of an execution: the ones not made inside another model call (counted there). */
async function sideStats(execution: ExecutionRecord, records: readonly CheckpointRecord[], price: PriceFunction | undefined): Promise<SideStats> {
  const modelIds = new Set(records.filter((record) => record.kind === 'model').map((record) => record.id));
  const calls = records.filter(
    (record) => record.kind === 'model' && record.status === 'completed' && !(record.parentId !== null && modelIds.has(record.parentId)),
  );
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  let modelLatencyMs = 0;
  let cost: number | undefined = 0;
  const models = new Set<string>();
  for (const call of calls) {
    const usage = modelUsageOf(call.metadata) ?? {};
    inputTokens += usage.inputTokens ?? 0;
    outputTokens += usage.outputTokens ?? 0;
    totalTokens += usage.totalTokens ?? 0;
    modelLatencyMs += (call.endedAt ?? call.startedAt) - call.startedAt;
    if (usage.model) models.add(usage.model);
    // The experiment's own price when it has one, else what the call recorded at list price.
    const callCost = price ? (usage.model ? await price({ model: usage.model, usage }) : undefined) : ((await costOfModelCall(call.metadata)).usd ?? undefined);
    cost = cost === undefined || callCost === undefined ? undefined : cost + callCost;
  }
  return {
    executionId: execution.id,
    status: execution.status,
    modelCalls: calls.length,
    inputTokens,
    outputTokens,
    totalTokens,
    modelLatencyMs,
    models: [...models],
    ...(cost !== undefined ? { cost } : {}),
  };
}

/** How the replay's tool calls were answered, from the `toolAnswer` its session put on each record. */
function toolAnswers(records: readonly CheckpointRecord[]): ToolAnswerCounts {
  const counts = { recorded: 0, live: 0, missed: 0, replaced: 0, reused: 0 };
  const misses: { checkpointId: string; tool: string; failed: boolean }[] = [];
  for (const record of records) {
    if (record.kind !== 'tool' && record.kind !== 'mcp') continue;
    const answer = record.metadata?.toolAnswer as ToolAnswerKind | undefined;
    if (answer === undefined) counts.reused += 1;
    else if (answer === 'record') counts.recorded += 1;
    else if (answer === 'replacement') counts.replaced += 1;
    else if (answer === 'live') counts.live += 1;
    else {
      counts.missed += 1;
      if (answer === 'miss-live') counts.live += 1;
      misses.push({ checkpointId: record.id, tool: record.name, failed: answer === 'miss' });
    }
  }
  return { ...counts, misses };
}
