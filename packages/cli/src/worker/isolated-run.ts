/**
 * The child process of `keel worker --isolate`: opens the same project as its worker, continues one
 * execution by id, sends the outcome to the worker over IPC, and exits. Whatever the flow does to
 * this process (a crash, running out of memory) cannot reach the worker or other runs.
 */
import { openProject } from '../project/open-project.js';
import type { IsolatedRunRequest, IsolatedRunMessage } from './isolated-runs.js';

const request = JSON.parse(process.argv[2] ?? '{}') as IsolatedRunRequest;
const send = (message: IsolatedRunMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

const project = await openProject({
  cwd: request.cwd,
  environment: process.env,
  requireConfig: true,
  ...(request.store !== undefined ? { store: request.store } : {}),
  ...(request.config !== undefined ? { config: request.config } : {}),
});
try {
  await project.loadFlows();
  // A flow awaiting something that never settles would leave nothing in the event loop, and Node
  // would end this process (exit 13) mid-run; kept alive, the worker's --timeout-ms decides instead.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    const result = await project.runtime.executions.resume(request.executionId);
    await send({
      type: 'result',
      result: {
        executionId: result.executionId,
        status: result.status,
        ...(result.error ? { error: { name: result.error.name, message: result.error.message } } : {}),
        ...(result.waits ? { waits: result.waits.map((wait) => ({ name: wait.name })) } : {}),
      },
    });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    // Another worker took it between the look and the claim: nobody's failure.
    await send({ type: name === 'ExecutionLeasedError' || name === 'ExecutionStateError' ? 'taken' : 'error', error: { name, message } });
  } finally {
    clearInterval(keepAlive);
  }
} finally {
  await project.close();
}
process.disconnect?.();
