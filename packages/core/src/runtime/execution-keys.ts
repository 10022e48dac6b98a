import type { ExecutionRecord, ExecutionStatus } from '../store/records.js';
import type { Runtime } from './runtime.js';

/**
 * The metadata entry where an execution opened by `runInFlow` keeps its identity (its `key`). Core
 * owns it: adapters find and retire keyed executions with the functions below, never by editing it.
 */
export const executionKeyField = 'keel.key';

/** The statuses of an execution that a later call with the same key continues. */
export const unfinishedStatuses: readonly ExecutionStatus[] = ['running', 'waiting', 'failed', 'queued'];

/** The executions of `flow` opened with one of `keys`, newest first; only those in `status` when given. */
export async function executionsWithKey(
  runtime: Runtime,
  flow: string,
  keys: readonly string[],
  status?: readonly ExecutionStatus[],
): Promise<ExecutionRecord[]> {
  const store = await runtime.store();
  const executions = await store.listExecutions({ flow, ...(status ? { status: [...status] } : {}) });
  return executions.filter((execution) => keys.includes(execution.metadata?.[executionKeyField] as string));
}

/**
 * Gives an execution another key (and merges `metadata` into its metadata), so that calls with its
 * old key no longer continue it: a failed turn that new input replaces, say. Compare-and-set on the
 * version the caller read: a concurrent change fails instead of being overwritten.
 */
export async function rekeyExecution(
  runtime: Runtime,
  execution: ExecutionRecord,
  key: string,
  metadata: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  const store = await runtime.store();
  await store.updateExecution(execution.id, { metadata: { ...execution.metadata, ...metadata, [executionKeyField]: key } }, { version: execution.version });
}
