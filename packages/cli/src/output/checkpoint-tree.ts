import type { CheckpointRecord } from '@keel/core';
import { modelUsageOf } from '@keel/core';
import { formatModelUsage } from './model-usage.js';
import { statusIcon, statusWord } from './status-style.js';
import type { Colors } from './terminal.js';
import { columns, singleLine, truncate } from './text-layout.js';
import { formatDuration } from './quantity-format.js';

/** The fields of a checkpoint record the tree shows. */
export type TreeRecord = Pick<
  CheckpointRecord,
  'id' | 'parentId' | 'name' | 'kind' | 'status' | 'seq' | 'attempts' | 'startedAt' | 'endedAt' | 'metadata' | 'durable'
> & {
  readonly error?: { readonly name: string; readonly message: string } | undefined;
};

/** Options of {@link renderCheckpointTree}. */
export interface TreeOptions {
  readonly colors: Colors;
  readonly now?: number;
  /** Extra words for a checkpoint (a replay's `reused` / `re-ran`). */
  readonly annotate?: (record: TreeRecord) => string | undefined;
  /** Indent every line by this. */
  readonly indent?: string;
}

/**
 * The checkpoints of an execution as a tree in call order — nested calls under their parent — with
 * kind, status, duration, attempts, and the model and tokens where the metadata has them:
 *
 * ```
 * ✓ research:1         step   completed  1.2s   1 attempt
 * ├─ ✓ model:1         model  completed  840ms  1 attempt  gpt-4o · 1,204 in / 88 out tokens
 * └─ ✓ search_web:1    tool   completed  310ms  2 attempts
 * ◇ approve:1          wait   waiting    4m 02s 1 attempt
 * ```
 */
export function renderCheckpointTree(records: readonly TreeRecord[], options: TreeOptions): string[] {
  const { colors } = options;
  const now = options.now ?? Date.now();
  const ids = new Set(records.map((record) => record.id));
  const children = new Map<string | null, TreeRecord[]>();
  for (const record of [...records].sort((a, b) => a.seq - b.seq)) {
    const parent = record.parentId !== null && ids.has(record.parentId) ? record.parentId : null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(record);
    else children.set(parent, [record]);
  }
  const rows: string[][] = [];
  const visit = (parent: string | null, prefix: string) => {
    const siblings = children.get(parent) ?? [];
    siblings.forEach((record, index) => {
      const last = index === siblings.length - 1;
      const branch = parent === null ? '' : last ? '└─ ' : '├─ ';
      const label = record.id.slice(record.parentId !== null && record.id.startsWith(`${record.parentId}/`) ? record.parentId.length + 1 : 0);
      const ended = record.endedAt ?? (record.status === 'running' ? now : undefined);
      const extras = [
        modelUsageOf(record.metadata) ? colors.dim(formatModelUsage(modelUsageOf(record.metadata)!)) : undefined,
        record.durable === false ? colors.dim('not durable') : undefined,
        options.annotate?.(record),
        record.status === 'failed' && record.error ? colors.red(truncate(singleLine(`${record.error.name}: ${record.error.message}`), 100)) : undefined,
      ].filter((extra): extra is string => extra !== undefined && extra !== '');
      rows.push([
        `${options.indent ?? ''}${colors.dim(prefix + branch)}${statusIcon(record.status, colors)} ${label}`,
        colors.dim(record.kind),
        statusWord(record.status, colors),
        ended !== undefined ? formatDuration(ended - record.startedAt) : '',
        `${record.attempts} ${record.attempts === 1 ? 'attempt' : 'attempts'}`,
        extras.join('  '),
      ]);
      visit(record.id, parent === null ? '' : prefix + (last ? '   ' : '│  '));
    });
  };
  visit(null, '');
  return columns(rows);
}
