import type { Store } from '@keel/core';

/** Whether the store answers: what `/readyz` reports. */
export type StoreReadiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/**
 * Asks the store for one execution, the cheapest read every backend has: a store that answers is
 * reachable (its files readable, its database up). A failure is reported with its message, not thrown,
 * so the caller can answer an orchestrator's probe with it. A store that takes longer than
 * `timeoutMs` (default 2 s) is reported as not ready: a probe must answer before the orchestrator's
 * own timeout, and a database driver may keep retrying a refused connection for much longer.
 */
export async function storeReadiness(store: Store | Promise<Store>, options: { readonly timeoutMs?: number } = {}): Promise<StoreReadiness> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<StoreReadiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `the store did not answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const answered = (async (): Promise<StoreReadiness> => {
    try {
      await (await store).listExecutions({ limit: 1 });
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: error instanceof Error ? error.message : String(error) };
    }
  })();
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
