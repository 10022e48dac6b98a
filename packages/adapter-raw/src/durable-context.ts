import { AsyncLocalStorage } from 'node:async_hooks';
import type { CheckpointContext } from '@keel/core/adapter';

const storage = new AsyncLocalStorage<CheckpointContext>();

/**
 * The checkpoint context of the durable call running now — inside a function given to `durable()`
 * or `durableTool()` while a flow runs — or `undefined` elsewhere. Its `idempotencyKey` is the same
 * for every attempt of this call and different for any other call: pass it to services that
 * deduplicate (an `Idempotency-Key` header, a payment API's key).
 *
 * @example
 * ```ts
 * const charge = durable('charge', (order) =>
 *   fetch(url, { method: 'POST', headers: { 'Idempotency-Key': durableContext()?.idempotencyKey ?? '' }, body: JSON.stringify(order) }));
 * ```
 */
export function durableContext(): CheckpointContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `context` as the current durable call (only inside a flow). */
export function runInDurableContext<T>(context: CheckpointContext, fn: () => T): T {
  return context.executionId === '' ? fn() : storage.run(context, fn);
}
