import type { ExecutionRecord, ExecutionStatus } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { parseWholeNumber } from '../command-arguments.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';
import { executionLeaseState } from '@keel/core';
import { formatDuration, formatRelativeTime } from '../output/quantity-format.js';
import { statusIcon, statusWord } from '../output/status-style.js';
import { columns, singleLine, truncateVisible } from '../output/text-layout.js';

/** Every execution status, for validating `--status`. */
export const executionStatuses: readonly ExecutionStatus[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

/** Options of `keel executions list`. */
export interface ListOptions {
  readonly flow?: string;
  readonly status?: string;
  readonly limit?: string;
  readonly json?: boolean;
}

/** `keel executions list`: the newest executions, with status, age, duration and what each waits on or failed with. */
export async function executionsList(context: CliContext, options: ListOptions): Promise<void> {
  const statuses = options.status === undefined ? undefined : parseStatuses(options.status);
  const limit = options.limit === undefined ? 20 : parseWholeNumber(options.limit, '--limit', 1);
  const project = await context.open(false);
  const store = await project.runtime.store();
  const executions = await project.runtime.executions.list({
    ...(options.flow !== undefined ? { flow: options.flow } : {}),
    ...(statuses ? { status: statuses } : {}),
    limit,
  });
  if (options.json) {
    context.terminal.line(JSON.stringify(executions, null, 2));
    return;
  }
  const { terminal } = context;
  const { colors } = terminal;
  if (executions.length === 0) {
    const filtered = options.flow !== undefined || statuses !== undefined;
    terminal.line(filtered ? 'No executions match.' : `No executions yet in ${project.storeLabel}.`);
    if (!filtered) {
      terminal.line(
        colors.dim(
          project.configFile
            ? `Start one: ${context.hint('run', 'FLOW')}`
            : `No keel.config.ts here yet: ${context.hint('init')} sets up a project with an example flow.`,
        ),
      );
    }
    return;
  }
  const now = Date.now();
  const rows: string[][] = [['', 'ID', 'FLOW', 'STATUS', 'CREATED', 'DURATION', 'NOTE'].map((cell) => colors.dim(cell))];
  for (const execution of executions) {
    const lease = executionLeaseState(execution, now);
    rows.push([
      statusIcon(execution.status, colors),
      execution.id,
      execution.flow,
      lease === 'abandoned' ? statusWord('abandoned', colors) : statusWord(execution.status, colors),
      formatRelativeTime(execution.createdAt, now),
      durationOf(execution, now),
      await noteOf(execution, store.listWaits.bind(store), lease),
    ]);
  }
  for (const line of columns(rows)) terminal.line(terminal.interactive ? truncateVisible(line, terminal.columns - 1) : line);
  if (executions.length === limit) terminal.line(colors.dim(`Showing the newest ${limit}; --limit shows more.`));
}

function parseStatuses(text: string): ExecutionStatus[] {
  const statuses = text
    .split(',')
    .map((status) => status.trim())
    .filter(Boolean);
  for (const status of statuses) {
    if (!executionStatuses.includes(status as ExecutionStatus)) {
      throw new ArgumentInvalidError({
        argument: '--status',
        problem: `"${status}" is not a status. Use one or more of ${executionStatuses.join(', ')} (comma-separated).`,
      });
    }
  }
  return statuses as ExecutionStatus[];
}

function durationOf(execution: ExecutionRecord, now: number): string {
  if (execution.endedAt !== undefined) return formatDuration(execution.endedAt - execution.createdAt);
  if (execution.status === 'running') return `${formatDuration(now - execution.createdAt)}…`;
  return '';
}

async function noteOf(
  execution: ExecutionRecord,
  listWaits: (executionId: string, filter?: { status?: 'pending' }) => Promise<{ name: string }[]>,
  lease: 'held' | 'abandoned' | 'none',
): Promise<string> {
  const notes: string[] = [];
  if (execution.status === 'waiting') {
    const waits = await listWaits(execution.id, { status: 'pending' });
    notes.push(waits.length ? `waits for ${waits.map((wait) => wait.name).join(', ')}` : 'input given; a worker resumes it');
  }
  if (lease === 'abandoned') notes.push('its process is gone; a worker recovers it');
  if (execution.status === 'running' && lease === 'held' && execution.lease) notes.push(`pid ${execution.lease.pid} on ${execution.lease.host}`);
  if ((execution.status === 'failed' || execution.status === 'cancelled') && execution.error) {
    notes.push(singleLine(`${execution.error.name}: ${execution.error.message}`).slice(0, 80));
  }
  if (execution.replayOf) notes.push(`replay of ${execution.replayOf.executionId}`);
  return notes.join('; ');
}
