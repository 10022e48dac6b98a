import type { ArtifactRecord, CheckpointRecord, ExecutionRecord, WaitRecord } from '@keel/core';
import { artifactUri } from '../resources/resource-uris.js';
import { checkpointLines } from './checkpoint-lines.js';
import { isAbandoned, type ExecutionRecords } from './execution-records.js';
import { failingCheckpointOf } from './failure-explanation.js';
import { oneLine } from './json-view.js';
import { budgetOf, costRollup, modelUsageOf, toJsonView, type CostRollup, type JsonValue } from '@keel/core';
import type { StoredPayloads } from './stored-payloads.js';
import { durationText, isoTime } from './time-format.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * An execution as `get_execution` and the `keel://executions/{id}` resource show it: its summary,
 * its waits (pending first, with the JSON Schema their input must match), token totals, the
 * checkpoint tree one line per checkpoint, its artifacts, what to do next, and last (they can be long)
 * its input and output.
 */
export async function executionDocument(records: ExecutionRecords, artifacts: readonly ArtifactRecord[]): Promise<JsonObject> {
  const { execution, checkpoints, waits, payloads } = records;
  const live = execution.status === 'running' && !isAbandoned(execution);
  const document: JsonObject = {
    id: execution.id,
    flow: execution.flow,
    status: execution.status,
    ...(isAbandoned(execution) ? { abandoned: 'its process stopped renewing the lease (it most likely died); resume_execution or a worker continues it' } : {}),
    createdAt: isoTime(execution.createdAt),
    updatedAt: isoTime(execution.updatedAt),
    ...(execution.endedAt !== undefined ? { endedAt: isoTime(execution.endedAt), duration: durationText(execution.endedAt - execution.createdAt) } : {}),
    sessions: execution.sessions,
    ...(execution.codeVersion !== undefined ? { codeVersion: execution.codeVersion } : {}),
    ...(execution.metadata ? { metadata: toJsonView(execution.metadata) } : {}),
    ...(execution.replayOf ? { replayOf: toJsonView(execution.replayOf) } : {}),
    ...(execution.lease && execution.status === 'running'
      ? { heldBy: `${execution.lease.host} pid ${execution.lease.pid}, lease until ${isoTime(execution.lease.expiresAt)}` }
      : {}),
    ...(execution.cancelRequested ? { cancelRequested: true } : {}),
  };
  if (execution.error) {
    document.error = oneLine(`${execution.error.name}: ${execution.error.message}`, 1_000);
    const failing = execution.status === 'failed' ? failingCheckpointOf(checkpoints, execution.error) : undefined;
    if (failing) document.failedAt = failing.id;
  }
  if (waits.length) document.waits = await Promise.all(sortWaits(waits).map((wait) => waitView(wait, payloads)));
  const usage = usageTotals(records);
  if (usage) document.modelUsage = usage;
  const rollup = await costRollup(checkpoints);
  const cost = costDocument(rollup, execution, checkpoints);
  if (cost) document.cost = cost;
  document.checkpointCount = checkpoints.length;
  document.checkpoints = checkpointLines(checkpoints, live, rollup);
  document.artifacts = artifacts.map((artifact) => ({
    name: artifact.name,
    type: artifact.type,
    bytes: artifact.payload.size,
    uri: artifactUri(execution.id, artifact.name),
  }));
  const next = nextSteps(execution, waits);
  if (next.length) document.next = next;
  document.input = await payloads.view(execution.input);
  if (execution.output) document.output = await payloads.view(execution.output);
  return document;
}

function sortWaits(waits: readonly WaitRecord[]): WaitRecord[] {
  return [...waits].sort((left, right) => Number(right.status === 'pending') - Number(left.status === 'pending') || left.createdAt - right.createdAt);
}

async function waitView(wait: WaitRecord, payloads: StoredPayloads): Promise<JsonObject> {
  return {
    id: wait.id,
    name: wait.name,
    status: wait.status,
    ...(wait.question !== undefined ? { question: wait.question } : {}),
    ...(wait.status === 'pending' ? { schema: toJsonView(wait.schema) } : {}),
    ...(wait.metadata ? { metadata: toJsonView(wait.metadata) } : {}),
    ...(wait.expiresAt !== undefined ? { expiresAt: isoTime(wait.expiresAt) } : {}),
    ...(wait.input ? { input: await payloads.view(wait.input) } : {}),
    ...(wait.resolvedBy !== undefined ? { resolvedBy: wait.resolvedBy } : {}),
    ...(wait.resolvedAt !== undefined ? { resolvedAt: isoTime(wait.resolvedAt) } : {}),
  };
}

function usageTotals(records: ExecutionRecords): JsonObject | undefined {
  const models = records.checkpoints.filter((record) => record.kind === 'model');
  if (!models.length) return undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  const names = new Set<string>();
  for (const record of models) {
    const usage = modelUsageOf(record.metadata);
    inputTokens += usage?.inputTokens ?? 0;
    outputTokens += usage?.outputTokens ?? 0;
    totalTokens += usage?.totalTokens ?? 0;
    if (usage?.model) names.add(usage.model);
  }
  return { modelCalls: models.length, ...(names.size ? { models: [...names] } : {}), inputTokens, outputTokens, totalTokens };
}

/**
 * What the model calls cost: every call, those made live here (what counts against the budget) and
 * those a replay reused; the budget; and, for checkpoints that are not model calls, what the model
 * calls below them cost (a tool that ran an inner agent of another harness).
 */
function costDocument(rollup: CostRollup, execution: ExecutionRecord, checkpoints: readonly CheckpointRecord[]): JsonObject | undefined {
  const budget = budgetOf(execution);
  if (rollup.total.calls === 0 && !budget) return undefined;
  const models = new Set(checkpoints.filter((record) => record.kind === 'model').map((record) => record.id));
  const below = Object.entries(rollup.byCheckpoint).filter(([id]) => !models.has(id));
  return {
    note: 'usd is an estimate at list price over the calls with a known price; unpricedCalls counts the others (tokens counted, cost unknown).',
    total: { ...rollup.total },
    spent: { ...rollup.spent },
    ...(rollup.reused.calls ? { reused: { ...rollup.reused } } : {}),
    ...(budget ? { budget: { ...budget } } : {}),
    ...(below.length ? { below: Object.fromEntries(below.map(([id, spend]) => [id, { ...spend }])) } : {}),
  };
}

function nextSteps(execution: ExecutionRecord, waits: readonly WaitRecord[]): string[] {
  const id = execution.id;
  switch (execution.status) {
    case 'failed':
      return [
        `explain_failure executionId=${id}: which call broke, its error and input, and what a retry re-runs`,
        `retry_execution executionId=${id}: run it again, reusing what completed`,
      ];
    case 'waiting':
      return waits
        .filter((wait) => wait.status === 'pending')
        .map((wait) => `give_input executionId=${id} wait=${wait.id} value=<JSON matching its schema> (resume=true to continue it here)`);
    case 'queued':
      return ['a worker (keel worker) picks it up'];
    case 'running':
      return isAbandoned(execution) ? [`resume_execution executionId=${id}: continue it from its last checkpoint`] : [];
    default:
      return [`replay_execution executionId=${id}: a new execution that reuses its checkpoints (from, overrides, hermetic)`];
  }
}
