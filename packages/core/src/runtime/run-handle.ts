import type { RunHandle } from './runtime-api.js';
import type { RunResult } from './types.js';

/**
 * A {@link RunHandle} for an operation that reports when it has started: it resolves at that moment,
 * or with the result if the operation settles first, and rejects if it fails before starting.
 */
export function startedRun(operation: (onStart: (executionId: string) => void) => Promise<RunResult>): Promise<RunHandle> {
  return new Promise((resolve, reject) => {
    let started = false;
    const result: Promise<RunResult> = operation((executionId) => {
      started = true;
      // Called after the operation's first store round trip, so `result` is assigned by now.
      resolve({ executionId, result });
    });
    result.then(
      (settled) => {
        if (!started) resolve({ executionId: settled.executionId, result });
      },
      (error: unknown) => {
        if (!started) reject(error);
      },
    );
  });
}
