import type { RunResult } from '@keel/core';

/** A run this server started and answered before it ended. */
interface BackgroundRun {
  readonly operation: string;
  readonly executionId: string;
  readonly done: Promise<void>;
}

/** What to do with a run that fails operationally after its answer went out. */
export type BackgroundErrorHandler = (error: unknown, run: { readonly operation: string; readonly executionId: string }) => void;

/**
 * Runs (resume, retry, replay) that this server started in its own process and answered before they
 * ended. They hold their executions' leases here, so the owner of the server can see what it still
 * runs and wait for them before closing the runtime or exiting.
 */
export class BackgroundRuns {
  readonly #runs = new Set<BackgroundRun>();
  readonly #onError: BackgroundErrorHandler;

  constructor(onError: BackgroundErrorHandler) {
    this.#onError = onError;
  }

  /**
   * Follows a run's promise. A run that ends `failed` is not reported (its record says so); a rejected
   * promise is: that is an operational error (a lost lease, a store that went away).
   */
  track(operation: string, executionId: string, promise: Promise<RunResult>): void {
    const run: BackgroundRun = {
      operation,
      executionId,
      done: promise.then(
        () => undefined,
        (error: unknown) => this.#onError(error, { operation, executionId }),
      ),
    };
    this.#runs.add(run);
    void run.done.finally(() => this.#runs.delete(run));
  }

  /** Ids of the executions still running here. */
  running(): string[] {
    return [...this.#runs].map((run) => run.executionId);
  }

  /** Resolves once every tracked run has ended or reached a wait, including runs started meanwhile. */
  async idle(): Promise<void> {
    while (this.#runs.size) await Promise.all([...this.#runs].map((run) => run.done));
  }
}
