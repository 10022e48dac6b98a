import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { WaitInputInvalidError } from '../errors/wait-input-invalid-error.js';
import { WaitNotFoundError } from '../errors/wait-not-found-error.js';
import { storePayload } from '../serialization/payloads.js';
import { toPendingWait } from './pending-wait.js';
import type { PendingWait } from './types.js';
import { validateStoredSchema } from './wait-schema.js';

/**
 * Gives input to a pending wait of the execution, by the wait's id or name, validated against the JSON
 * Schema stored with it. Fails with `WaitNotFoundError` (saying why: ambiguous name, already answered,
 * execution ended, answered by someone else meanwhile) or `WaitInputInvalidError`, changing nothing.
 * Does not resume the execution.
 */
export async function inputWait(
  store: Store,
  execution: ExecutionRecord,
  waitName: string,
  value: unknown,
  resolvedBy: string | undefined,
): Promise<{ waitId: string; pending: PendingWait[] }> {
  const executionId = execution.id;
  const pending = await store.listWaits(executionId, { status: 'pending' });
  const names = pending.map((wait) => wait.id);
  const byId = pending.find((wait) => wait.id === waitName);
  const byName = pending.filter((wait) => wait.name === waitName);
  if (!byId && byName.length > 1) {
    throw new WaitNotFoundError({ executionId, wait: waitName, pending: names, reason: 'several pending waits have this name; give the id' });
  }
  const wait = byId ?? byName[0];
  if (!wait || execution.status === 'completed' || execution.status === 'cancelled') {
    const answered = (await store.listWaits(executionId)).some((other) => (other.id === waitName || other.name === waitName) && other.status !== 'pending');
    throw new WaitNotFoundError({
      executionId,
      wait: waitName,
      pending: names,
      ...(answered
        ? { reason: 'it was already answered or timed out' }
        : execution.status === 'completed' || execution.status === 'cancelled'
          ? { reason: `the execution is ${execution.status}` }
          : {}),
    });
  }
  const issues = await validateStoredSchema(wait.schema, value);
  if (issues.length) throw new WaitInputInvalidError({ executionId, waitId: wait.id, issues });
  const input = await storePayload(store, value, `the input of wait "${wait.id}"`);
  const resolved = await store.resolveWait(executionId, wait.id, { input, resolvedAt: Date.now(), ...(resolvedBy ? { resolvedBy } : {}) });
  if (!resolved.ok) {
    throw new WaitNotFoundError({ executionId, wait: waitName, pending: names, reason: 'it was answered by someone else a moment ago' });
  }
  const stillPending = pending.filter((other) => other.id !== wait.id).map(toPendingWait);
  return { waitId: wait.id, pending: stillPending };
}
