import type { RunHandle, RunResult } from '@keel/core';

/** How a run stood when its answer went out: ended (or at a wait), or still running here. */
export type BoundedOutcome = { readonly result: RunResult } | { readonly running: string };

/**
 * Waits for a started run for at most `waitMs`: when it ends (or reaches a wait) in time, resolves with
 * its result; otherwise with `running` and its execution id. A run refused before it started never
 * gets here: starting it (`executions.begin`) rejected with that error.
 */
export async function waitBounded(handle: RunHandle, waitMs: number): Promise<BoundedOutcome> {
  let outcome: { result: RunResult } | { error: unknown } | undefined;
  const settled = handle.result.then(
    (result) => (outcome = { result }),
    (error: unknown) => (outcome = { error }),
  );
  await raceTimer(settled, waitMs);
  if (outcome === undefined) return { running: handle.executionId };
  if ('error' in outcome) throw outcome.error;
  return { result: outcome.result };
}

/** Resolves when `promise` settles or after `milliseconds`, whichever is first, leaving no timer behind. */
export async function raceTimer(promise: Promise<unknown>, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, milliseconds))),
  ]);
  clearTimeout(timer);
}
