import type { CliContext } from '../cli-context.js';

/**
 * `keel executions cancel <id>`: a waiting, queued or abandoned execution is cancelled at once; one that
 * another process is running is asked to stop: that process aborts its current call within about a second.
 */
export async function executionsCancel(context: CliContext, executionId: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(false);
  const { status } = await project.runtime.executions.cancel(executionId);
  const { terminal } = context;
  if (options.json) {
    terminal.line(JSON.stringify({ executionId, status }, null, 2));
    return;
  }
  if (status === 'cancelled') terminal.line(`${terminal.colors.dim('⊘')} cancelled ${executionId}`);
  else {
    terminal.line(`${terminal.colors.yellow('⊘')} cancel requested for ${executionId}: the process running it aborts its current call within a second or so.`);
    terminal.line(terminal.colors.dim(`  Check: ${context.hint('executions', 'show', executionId)}`));
  }
}
