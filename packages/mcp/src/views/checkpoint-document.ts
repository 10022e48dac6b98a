import { CheckpointNotFoundError, type CheckpointRecord, toJsonView, type JsonValue } from '@keel/core';
import type { ExecutionRecords } from './execution-records.js';
import { isAbandoned } from './execution-records.js';
import { statusOf } from './checkpoint-lines.js';
import { toolNameOf } from './failure-explanation.js';
import { jsonText } from './json-view.js';
import { modelUsageOf } from '@keel/core';
import { durationText, isoTime } from './time-format.js';

/** Which part of a checkpoint an answer shows. */
export type CheckpointPart = 'all' | 'input' | 'output' | 'error';

/**
 * A checkpoint as `get_checkpoint` shows it. `all`: its record (kind, status, attempts, timing, model
 * and tokens, metadata, children), its error with the whole stack, its captured input and its stored
 * output, as JSON. `input` or `output` alone: just that value (a string as it is, anything else as
 * JSON), so that paging offsets address the value itself.
 * @throws {CheckpointNotFoundError} naming the execution and its checkpoint ids.
 */
export async function checkpointDocument(records: ExecutionRecords, checkpointId: string, part: CheckpointPart): Promise<string> {
  const { execution, checkpoints, payloads } = records;
  const record = checkpoints.find((candidate) => candidate.id === checkpointId);
  if (!record) throw new CheckpointNotFoundError({ executionId: execution.id, checkpointId, known: checkpoints.map((candidate) => candidate.id) });
  if (part === 'input' || part === 'output') {
    const ref = record[part];
    if (!ref)
      return `(checkpoint ${record.id} has no stored ${part}: ${part === 'input' ? 'the capture policy left it out, or the call had none' : record.durable ? `it is ${statusOf(record, false)}` : 'it is not durable'})`;
    const value = await payloads.value(ref);
    return typeof value === 'string' ? value : jsonText(toJsonView(value));
  }
  if (part === 'error') {
    return record.error ? jsonText(await payloads.error(record.error)) : `(checkpoint ${record.id} has no error: it is ${statusOf(record, false)})`;
  }
  const live = execution.status === 'running' && !isAbandoned(execution);
  const usage = modelUsageOf(record.metadata);
  const tool = toolNameOf(record);
  const document: { [key: string]: JsonValue } = {
    executionId: execution.id,
    id: record.id,
    name: record.name,
    kind: record.kind,
    ...(tool !== undefined ? { tool } : {}),
    status: statusOf(record, live),
    parentId: record.parentId,
    children: childrenOf(checkpoints, record),
    seq: record.seq,
    attempts: record.attempts,
    delivery: record.delivery,
    durable: record.durable,
    ...(record.fingerprint !== undefined ? { fingerprint: record.fingerprint } : {}),
    startedAt: isoTime(record.startedAt),
    ...(record.endedAt !== undefined ? { endedAt: isoTime(record.endedAt), duration: durationText(record.endedAt - record.startedAt) } : {}),
    ...(usage ? (usage as { [key: string]: JsonValue }) : {}),
    ...(record.metadata ? { metadata: toJsonView(record.metadata) } : {}),
    error: record.error ? await payloads.error(record.error) : null,
    input: record.input ? await payloads.view(record.input) : null,
    output: record.output ? await payloads.view(record.output) : null,
  };
  return jsonText(document);
}

function childrenOf(records: readonly CheckpointRecord[], parent: CheckpointRecord): string[] {
  return records.filter((record) => record.parentId === parent.id).map((record) => record.id);
}
