import type { CheckpointRecord, CostRollup } from '@keel/core';
import { formatUsd, modelUsageOf } from '@keel/core';
import { oneLine } from './json-view.js';
import { durationText } from './time-format.js';

/**
 * The checkpoint tree as one line per checkpoint, children indented under their parent, siblings in
 * start order: `fetch_page:1 · tool · failed · 3 ms · Error: HTTP 503 …`. One line each keeps a run
 * of hundreds of calls readable in a page; `get_checkpoint` has the rest.
 * @param live - Whether a process runs the execution now (else an unfinished checkpoint was interrupted).
 * @param cost - The execution's cost roll-up: a model call's line gets its cost, a line with model calls below it theirs.
 */
export function checkpointLines(records: readonly CheckpointRecord[], live: boolean, cost?: CostRollup): string[] {
  const byParent = new Map<string | null, CheckpointRecord[]>();
  const ids = new Set(records.map((record) => record.id));
  for (const record of records) {
    // A record whose parent is missing (a replay that copied only some) still shows, at the top.
    const parent = record.parentId !== null && ids.has(record.parentId) ? record.parentId : null;
    const siblings = byParent.get(parent) ?? [];
    siblings.push(record);
    byParent.set(parent, siblings);
  }
  const lines: string[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const record of (byParent.get(parent) ?? []).sort((left, right) => left.seq - right.seq)) {
      lines.push(`${'  '.repeat(depth)}${checkpointLine(record, live, cost)}`);
      visit(record.id, depth + 1);
    }
  };
  visit(null, 0);
  return lines;
}

/** One checkpoint on one line. */
export function checkpointLine(record: CheckpointRecord, live: boolean, cost?: CostRollup): string {
  const parts = [record.id, record.kind, statusOf(record, live)];
  if (record.attempts > 1) parts.push(`${record.attempts} attempts`);
  if (record.endedAt !== undefined) parts.push(durationText(record.endedAt - record.startedAt));
  if (!record.durable) parts.push('not durable');
  const usage = modelUsageOf(record.metadata);
  if (usage?.model !== undefined) parts.push(usage.model);
  if (usage?.totalTokens !== undefined) parts.push(`${usage.inputTokens ?? '?'} in / ${usage.outputTokens ?? '?'} out tokens`);
  const spend = cost?.byCheckpoint[record.id];
  if (spend && record.kind === 'model') parts.push(spend.unpricedCalls ? 'price unknown' : `~$${formatUsd(spend.usd)}`);
  else if (spend)
    parts.push(`below: ${spend.calls} model calls, ${spend.tokens} tokens${spend.calls > spend.unpricedCalls ? `, ~$${formatUsd(spend.usd)}` : ''}`);
  if (record.error) parts.push(oneLine(`${record.error.name}: ${record.error.message}`, 160));
  return parts.join(' · ');
}

/** A checkpoint's status, saying `interrupted` for one that was left running by a process that is gone. */
export function statusOf(record: CheckpointRecord, live: boolean): string {
  return record.status === 'running' && !live ? 'interrupted' : record.status;
}
