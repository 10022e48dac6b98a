import type { CliContext } from '../cli-context.js';
import { loadFlowCode } from '../project/flow-code.js';
import { requireFlow } from './run-command.js';
import { runWithProgress } from './run-with-progress.js';

/**
 * `keel executions resume <id>` and `keel executions retry <id>`: run the execution's body again in
 * this process, reusing every completed checkpoint. Resume is for a waiting or abandoned execution,
 * retry for a failed one (its failed checkpoint runs again).
 */
export async function executionsContinue(context: CliContext, operation: 'resume' | 'retry', executionId: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(false);
  const execution = await project.runtime.executions.get(executionId);
  requireFlow(await loadFlowCode(project, { command: `executions ${operation}`, operation, flow: execution.flow, executionId }), execution.flow);
  const { executions } = project.runtime;
  const { exitCode } = await runWithProgress(context, project, {
    flow: execution.flow,
    title: `${operation === 'resume' ? 'Resuming' : 'Retrying'} ${context.terminal.colors.bold(execution.flow)}`,
    executionId,
    json: options.json ?? false,
    operation: () => (operation === 'resume' ? executions.resume(executionId) : executions.retry(executionId)),
  });
  context.exitCode = exitCode;
}
