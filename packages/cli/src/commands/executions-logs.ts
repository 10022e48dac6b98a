import type { LogRecord } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import type { Colors } from '../output/terminal.js';
import { formatClock } from '../output/quantity-format.js';

/**
 * `keel executions logs <id> [--follow]`: the lines `log.info/warn/error` wrote, with the checkpoint
 * each belongs to. `--follow` keeps reading new lines until the execution completes, fails or is
 * cancelled (a waiting execution may still be resumed, so following goes on through waits).
 */
export async function executionsLogs(
  context: CliContext,
  executionId: string,
  options: { follow?: boolean; json?: boolean; intervalMs?: number },
): Promise<void> {
  const project = await context.open(false);
  const { executions } = project.runtime;
  const { terminal } = context;
  let offset = 0;
  let printedAny = false;
  const print = (lines: readonly LogRecord[]) => {
    for (const line of lines) terminal.line(options.json ? JSON.stringify(line) : formatLogLine(line, terminal.colors));
    offset += lines.length;
    printedAny ||= lines.length > 0;
  };
  print(await executions.logs(executionId));
  if (!options.follow) {
    if (!printedAny && !options.json)
      terminal.line(terminal.colors.dim(`No log lines yet for ${executionId} (flows write them with log.info/warn/error from @keel/core).`));
    return;
  }
  let stopped = false;
  const stop = () => (stopped = true);
  process.once('SIGINT', stop);
  try {
    while (!stopped) {
      const execution = await executions.get(executionId);
      const ended = execution.status === 'completed' || execution.status === 'failed' || execution.status === 'cancelled';
      print(await executions.logs(executionId, { offset }));
      if (ended) return;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 300));
    }
  } finally {
    process.off('SIGINT', stop);
  }
}

/** `14:03:07.412 info  compose:1  composed a greeting  length=18`. */
export function formatLogLine(line: LogRecord, colors: Colors): string {
  const level =
    line.level === 'error' ? colors.red('error') : line.level === 'warn' ? colors.yellow('warn ') : line.level === 'debug' ? colors.dim('debug') : 'info ';
  const fields = line.fields
    ? Object.entries(line.fields)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ')
    : '';
  return [
    colors.dim(formatClock(line.time)),
    level,
    colors.cyan(line.checkpointId ?? '(flow)'),
    line.message,
    fields ? colors.dim(fields) : '',
    line.session > 1 ? colors.dim(`#${line.session}`) : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
}
