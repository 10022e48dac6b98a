import type { CheckpointRecord } from '@keel/core';
import type { ExecutionRecords } from './execution-records.js';
import { isAbandoned } from './execution-records.js';
import { oneLine } from './json-view.js';
import { modelUsageOf, toJsonView, type JsonValue } from '@keel/core';
import { previewValue } from './paged-text.js';
import { retryPlan } from './retry-plan.js';
import { durationText, isoTime } from './time-format.js';

/** Values in an explanation longer than this (as JSON) are cut, with a note on where to read them. */
const valueLimit = 4_000;
/** Stack lines kept in an explanation; `get_checkpoint` has the whole stack. */
const stackLines = 12;

/**
 * Explains why an execution failed: the checkpoint that broke (the failed one with no failed
 * checkpoint inside it whose error is the execution's, else the latest such), its error and input; the
 * model call that led to it (the last completed `model` checkpoint that started before it, with its
 * output, which holds the tool call the model asked for); and what a retry would run again and reuse.
 * For an execution that did not fail it says where it is instead.
 */
export async function explainFailure(records: ExecutionRecords): Promise<{ [key: string]: JsonValue }> {
  const { execution, checkpoints, payloads } = records;
  const base: { [key: string]: JsonValue } = { executionId: execution.id, flow: execution.flow, status: execution.status };
  const failing = failingCheckpointOf(checkpoints, execution.error);
  if (execution.status !== 'failed') {
    const caught = checkpoints.filter((record) => record.status === 'failed').map((record) => record.id);
    return {
      ...base,
      summary: notFailedSummary(records),
      ...(caught.length
        ? { failedCheckpoints: caught, note: 'These checkpoints failed but the flow went on (the error was caught or retried); get_checkpoint shows each.' }
        : {}),
    };
  }
  const readAll = (checkpoint: CheckpointRecord, part: string) => `get_checkpoint executionId=${execution.id} checkpointId=${checkpoint.id} part=${part}`;
  const model = failing ? lastModelCallBefore(checkpoints, failing) : lastModelCallBefore(checkpoints, undefined);
  const explanation: { [key: string]: JsonValue } = { ...base };
  explanation.summary = failedSummary(records, failing, model);
  if (failing) {
    const tool = toolNameOf(failing);
    explanation.failingCheckpoint = {
      id: failing.id,
      name: failing.name,
      kind: failing.kind,
      ...(tool !== undefined ? { tool } : {}),
      attempts: failing.attempts,
      startedAt: isoTime(failing.startedAt),
      ...(failing.endedAt !== undefined ? { duration: durationText(failing.endedAt - failing.startedAt) } : {}),
      ...(failing.metadata ? { metadata: toJsonView(failing.metadata) } : {}),
      error: failing.error ? await payloads.error(failing.error, stackLines) : null,
      input: failing.input
        ? previewValue(await payloads.view(failing.input), valueLimit, readAll(failing, 'input'))
        : '(not captured: the capture policy left it out, or the call had no input)',
    };
  } else {
    const lastCompleted = [...checkpoints].reverse().find((record) => record.status === 'completed');
    explanation.failingCheckpoint = null;
    explanation.where = `The flow body threw outside any checkpoint${lastCompleted ? `, after checkpoint ${lastCompleted.id} completed` : ', before any checkpoint completed'}.`;
  }
  if (execution.error && (!failing?.error || failing.error.message !== execution.error.message || failing.error.name !== execution.error.name)) {
    explanation.executionError = await payloads.error(execution.error, stackLines);
  }
  if (model) {
    const usage = modelUsageOf(model.metadata);
    explanation.modelCall = {
      id: model.id,
      name: model.name,
      ...(usage ? (usage as { [key: string]: JsonValue }) : {}),
      ...(model.metadata ? { metadata: toJsonView(model.metadata) } : {}),
      output: model.output ? previewValue(await payloads.view(model.output), valueLimit, readAll(model, 'output')) : '(not stored: the call was not durable)',
      prompt: `not shown here (it holds the whole conversation): ${readAll(model, 'input')}`,
    };
  } else {
    explanation.modelCall = null;
  }
  const others = checkpoints.filter((record) => record.status === 'failed' && record !== failing && !failing?.id.startsWith(`${record.id}/`));
  if (others.length) explanation.otherFailedCheckpoints = others.map((record) => record.id);
  const plan = retryPlan(checkpoints);
  explanation.retry = {
    reruns: plan.reruns.map((rerun) => `${rerun.id} (${rerun.kind}): ${rerun.why}`),
    reuses: plan.reused.length > 50 ? [...plan.reused.slice(0, 50), `… and ${plan.reused.length - 50} more`] : [...plan.reused],
    reusedModelCalls: plan.reusedModelCalls,
    ...(plan.reusedTokens ? { reusedTokens: plan.reusedTokens } : {}),
    note: 'A retry runs the flow body again from the top: completed checkpoints return their stored outputs without running, the ones listed under reruns run again, and calls the run never reached run for the first time.',
    how: `retry_execution executionId=${execution.id} (or replay_execution with overrides to change a recorded output first)`,
  };
  return explanation;
}

/**
 * The checkpoint where a failed run broke: among the failed checkpoints with no failed checkpoint
 * inside them (a parent fails because its child did), the one whose error is the execution's, else
 * the latest to start (an earlier failure the flow caught did not end it).
 */
export function failingCheckpointOf(records: readonly CheckpointRecord[], error: { name: string; message: string } | undefined): CheckpointRecord | undefined {
  const failed = records.filter((record) => record.status === 'failed');
  const leaves = failed.filter((record) => !failed.some((other) => other.id.startsWith(`${record.id}/`)));
  const matching = error ? leaves.filter((record) => record.error?.message === error.message && record.error.name === error.name) : [];
  const candidates = matching.length ? matching : leaves;
  return [...candidates].sort((left, right) => right.seq - left.seq)[0];
}

function lastModelCallBefore(records: readonly CheckpointRecord[], failing: CheckpointRecord | undefined): CheckpointRecord | undefined {
  return [...records]
    .filter((record) => record.kind === 'model' && record.status === 'completed' && (failing === undefined || record.seq < failing.seq))
    .sort((left, right) => right.seq - left.seq)[0];
}

/** The tool's own name for tool and MCP calls (adapters record it in metadata), else undefined. */
export function toolNameOf(record: CheckpointRecord): string | undefined {
  if (record.kind !== 'tool' && record.kind !== 'mcp') return undefined;
  const metadata = record.metadata ?? {};
  const named = [metadata.toolName, metadata.tool].find((value): value is string => typeof value === 'string' && value.length > 0);
  return named ?? record.name;
}

function failedSummary(records: ExecutionRecords, failing: CheckpointRecord | undefined, model: CheckpointRecord | undefined): string {
  const { execution } = records;
  const error = failing?.error ?? execution.error;
  const errorText = error ? oneLine(`${error.name}: ${error.message}`, 300) : 'an unknown error';
  const what = failing
    ? `${failing.kind === 'tool' || failing.kind === 'mcp' ? `The ${failing.kind === 'mcp' ? 'MCP' : 'tool'} call "${toolNameOf(failing)}"` : `The ${failing.kind} checkpoint`} (checkpoint ${failing.id}) failed with ${errorText} after ${failing.attempts} attempt${failing.attempts === 1 ? '' : 's'}`
    : `The flow body failed outside any checkpoint with ${errorText}`;
  const cause = model
    ? `; the model call ${model.id}${modelUsageOf(model.metadata)?.model ? ` (${modelUsageOf(model.metadata)?.model})` : ''} came just before it`
    : '';
  return `${what}${cause}. Execution ${execution.id} of flow "${execution.flow}" failed${execution.endedAt !== undefined ? ` at ${isoTime(execution.endedAt)}` : ''}.`;
}

function notFailedSummary(records: ExecutionRecords): string {
  const { execution, waits } = records;
  switch (execution.status) {
    case 'completed':
      return `Execution ${execution.id} completed; nothing failed.`;
    case 'cancelled':
      return `Execution ${execution.id} was cancelled; it did not fail.`;
    case 'queued':
      return `Execution ${execution.id} is queued and has not started: a worker (keel worker) runs it.`;
    case 'waiting': {
      const pending = waits.filter((wait) => wait.status === 'pending').map((wait) => wait.id);
      return `Execution ${execution.id} has not failed: it waits for input at ${pending.join(', ') || 'a wait'}. give_input answers it.`;
    }
    default:
      return isAbandoned(execution)
        ? `Execution ${execution.id} has not failed, but its process stopped renewing its lease (it most likely died): resume_execution, or a worker's recovery, continues it from its last checkpoint.`
        : `Execution ${execution.id} is still running${execution.lease ? ` (on ${execution.lease.host}, pid ${execution.lease.pid})` : ''}; it has not failed.`;
  }
}
