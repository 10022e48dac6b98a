import type { Store } from '@keel/core';

/** Whether the store answers: what `/readyz` reports. */
export type StoreReadiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/**
 * Asks the store for one execution, the cheapest read every backend has: a store that answers is
 * reachable (its files readable, its database up). A failure is reported with its message, not thrown,
 * so the caller can answer an orchestrator's probe with it.
 */
export async function storeReadiness(store: Store | Promise<Store>): Promise<StoreReadiness> {
  try {
    await (await store).listExecutions({ limit: 1 });
    return { ready: true };
  } catch (error) {
    return { ready: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
