/** A run the server started and did not wait for. */
interface BackgroundRun {
  readonly operation: string;
  executionId: string;
  readonly done: Promise<void>;
}

/**
 * Runs (resume, retry, replay) that the server started in its own process and answered before they
 * ended. They hold their executions' leases, so the server can say what it is running and let its
 * owner wait for them before closing the runtime.
 */
export class BackgroundRuns {
  readonly #runs = new Set<BackgroundRun>();
  readonly #onError: (error: unknown, run: { operation: string; executionId: string }) => void;

  constructor(onError: (error: unknown, run: { operation: string; executionId: string }) => void) {
    this.#onError = onError;
  }

  /**
   * Follows a run's promise. Its failure after the answer went out is reported to `onError`; a failed
   * run is not such a failure (the run resolves with `status: 'failed'`), only an operational error is.
   * @returns A handle whose `executionId` may be filled in later (a replay's new id).
   */
  track(operation: string, executionId: string, promise: Promise<unknown>, options: { reportErrors: () => boolean }): { executionId: string } {
    const run: BackgroundRun = {
      operation,
      executionId,
      done: promise.then(
        () => undefined,
        (error: unknown) => {
          if (options.reportErrors()) this.#onError(error, { operation, executionId: run.executionId });
        },
      ),
    };
    this.#runs.add(run);
    void run.done.finally(() => this.#runs.delete(run));
    return run;
  }

  /** Ids of the executions still running. */
  running(): string[] {
    return [...this.#runs].map((run) => run.executionId).filter(Boolean);
  }

  /** Resolves when every tracked run has ended, including ones started meanwhile. */
  async idle(): Promise<void> {
    while (this.#runs.size) await Promise.all([...this.#runs].map((run) => run.done));
  }
}
