import type { Runtime } from '@keel/core';

/**
 * Releases the leases this runtime holds, so another worker can take those executions at once
 * instead of waiting for the leases to expire (on another machine a dead holder cannot be detected,
 * only outlived). The executions stay `running` with no holder, which recovery treats as abandoned.
 * Each release is a compare-and-set; a heartbeat racing it is simply read again.
 *
 * Call it only when this process is about to stop running them: the sessions still in memory notice
 * the lost lease at their next checkpoint or heartbeat and stop.
 * @returns The ids of the executions handed back.
 */
export async function handBack(runtime: Runtime): Promise<string[]> {
  const store = await runtime.store();
  const handed: string[] = [];
  for (const listed of await store.listExecutions({ status: 'running' })) {
    let execution = listed;
    for (let attempt = 0; attempt < 10 && execution.status === 'running' && execution.lease?.owner === runtime.ownerId; attempt++) {
      const result = await store.updateExecution(execution.id, { lease: null }, { version: execution.version });
      if (result.ok) {
        handed.push(execution.id);
        break;
      }
      if (result.reason === 'not-found') break;
      execution = result.current;
    }
  }
  return handed;
}
