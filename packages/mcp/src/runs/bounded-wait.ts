import type { RunResult } from '@keel/core';

/** How a run stood when its answer went out: ended (or at a wait), or still running here. */
export type BoundedOutcome = { readonly result: RunResult } | { readonly running: string };

/**
 * Waits for a run for at most `waitMs`. When the run ends (or reaches a wait) in time, resolves with its
 * result; when it fails to start (unknown id, wrong status, another holder) rejects with that error.
 * Once `waitMs` has passed, resolves with `running` as soon as `started()` finds the execution it runs
 * (its id), so an answer never says "running" about a run that was refused a moment later.
 */
export async function waitBounded(promise: Promise<RunResult>, waitMs: number, started: () => Promise<string | undefined>): Promise<BoundedOutcome> {
  let outcome: { result: RunResult } | { error: unknown } | undefined;
  const settled = promise.then(
    (result) => (outcome = { result }),
    (error: unknown) => (outcome = { error }),
  );
  await raceTimer(settled, waitMs);
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    if (outcome) return unwrap(outcome);
    const executionId = await started();
    if (outcome) return unwrap(outcome);
    if (executionId !== undefined) return { running: executionId };
    await raceTimer(settled, delay);
  }
}

function unwrap(outcome: { result: RunResult } | { error: unknown }): BoundedOutcome {
  if ('error' in outcome) throw outcome.error;
  return { result: outcome.result };
}

/** Resolves when `promise` settles or after `milliseconds`, whichever is first, leaving no timer behind. */
export async function raceTimer(promise: Promise<unknown>, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, milliseconds)))]);
  clearTimeout(timer);
}
