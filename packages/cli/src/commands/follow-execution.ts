import { toPendingWait, type RunResult } from '@keel/core';
import type { Project } from '../project/open-project.js';

/**
 * Waits for an execution that another process runs to stop (complete, fail, be cancelled or wait) and
 * returns its outcome as `run()` would.
 */
export async function followExecution(project: Project, executionId: string, intervalMs = 250): Promise<RunResult> {
  for (;;) {
    const execution = await project.runtime.executions.get(executionId);
    if (execution.status !== 'queued' && execution.status !== 'running') {
      const pending = execution.waits.filter((wait) => wait.status === 'pending');
      return {
        executionId,
        status: execution.status,
        ...(execution.status === 'completed' ? { output: execution.output } : {}),
        ...(execution.error ? { error: execution.error } : {}),
        ...(execution.status === 'waiting' ? { waits: pending.map(toPendingWait) } : {}),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
