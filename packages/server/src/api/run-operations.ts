import { ExecutionNotFoundError, type ExecutionRecord, type ReplayOptions, type RunResult, type Runtime, type Store } from '@keel/core';
import type { BackgroundRuns } from './background-runs.js';
import { type JsonValue } from '@keel/core';
import { runResultView } from './run-result-view.js';

/** The answer to an operation that runs an execution: 200 with its result, or 202 while it runs on. */
export interface RunAnswer {
  readonly status: 200 | 202;
  readonly body: Record<string, JsonValue>;
}

type Outcome = { readonly result: RunResult } | { readonly error: unknown };

/**
 * Starts runs in the server's process: resume, retry and replay take the execution's lease here.
 *
 * Each one answers as soon as the run has really started (the lease is taken, or the replay's new
 * execution exists), with 202 and the execution id, and goes on in the background; what is refused
 * before that (unknown id, a status that does not allow it, another holder's lease, an unknown `from`
 * checkpoint) is answered as an error. A run that ends (or reaches a wait) before the start was seen is
 * answered with 200 and its result, as is every run when the caller asked to wait for it.
 */
export class RunOperations {
  readonly #runtime: Runtime;
  readonly #runs: BackgroundRuns;
  /** Replays of one original start one at a time here, so each finds its own new execution. */
  readonly #replayQueues = new Map<string, Promise<unknown>>();
  readonly #answeredReplays = new Set<string>();

  constructor(runtime: Runtime, runs: BackgroundRuns) {
    this.#runtime = runtime;
    this.#runs = runs;
  }

  /** `resume` or `retry` an execution. */
  async continue(operation: 'resume' | 'retry', executionId: string, options: { wait: boolean }): Promise<RunAnswer> {
    const store = await this.#runtime.store();
    const before = await this.#execution(store, executionId);
    const promise = this.#runtime.executions[operation](executionId);
    if (options.wait) return { status: 200, body: runResultView(await promise) };
    const started = await this.#firstOf(promise, async () => {
      const now = await store.getExecution(executionId);
      return now !== null && now.sessions > before.sessions && now.lease?.owner === this.#runtime.ownerId;
    });
    if ('outcome' in started) return this.#finished(started.outcome);
    this.#runs.track(operation, executionId, promise, { reportErrors: () => true });
    return { status: 202, body: { executionId, operation, status: 'running' } };
  }

  /** A replay: a new execution that reuses the original's records. */
  async replay(executionId: string, options: ReplayOptions & { wait: boolean }): Promise<RunAnswer> {
    const store = await this.#runtime.store();
    const original = await this.#execution(store, executionId);
    const { wait, ...replayOptions } = options;
    const previous = this.#replayQueues.get(executionId) ?? Promise.resolve();
    const turn = previous.then(() => this.#startReplay(store, original, replayOptions, wait));
    const queued = turn.catch(() => undefined);
    this.#replayQueues.set(executionId, queued);
    void queued.then(() => {
      if (this.#replayQueues.get(executionId) === queued) this.#replayQueues.delete(executionId);
    });
    return turn;
  }

  async #startReplay(store: Store, original: ExecutionRecord, options: ReplayOptions, wait: boolean): Promise<RunAnswer> {
    const startedAt = Date.now();
    const promise = this.#runtime.executions.replay(original.id, options);
    if (wait) return { status: 200, body: { ...runResultView(await promise), replayOf: original.id } };
    let found: string | undefined;
    const started = await this.#firstOf(promise, async () => {
      // The replay's id is made inside the runtime; find the execution it created: a replay of this
      // original, created since the call, that this runtime holds and that no earlier answer named.
      const recent = await store.listExecutions({ flow: original.flow, limit: 25 });
      found = recent.find(
        (candidate) =>
          candidate.replayOf?.executionId === original.id &&
          candidate.createdAt >= startedAt &&
          candidate.lease?.owner === this.#runtime.ownerId &&
          !this.#answeredReplays.has(candidate.id),
      )?.id;
      return found !== undefined;
    });
    if ('outcome' in started) {
      const answer = this.#finished(started.outcome);
      return { ...answer, body: { ...answer.body, replayOf: original.id } };
    }
    const newId = found!;
    this.#answeredReplays.add(newId);
    this.#runs.track('replay', newId, promise, { reportErrors: () => true });
    void promise.finally(() => this.#answeredReplays.delete(newId)).catch(() => undefined);
    return { status: 202, body: { executionId: newId, operation: 'replay', replayOf: original.id, status: 'running' } };
  }

  async #execution(store: Store, executionId: string): Promise<ExecutionRecord> {
    const execution = await store.getExecution(executionId);
    if (!execution) throw new ExecutionNotFoundError({ executionId, store: store.location });
    return execution;
  }

  #finished(outcome: Outcome): RunAnswer {
    if ('error' in outcome) throw outcome.error;
    return { status: 200, body: runResultView(outcome.result) };
  }

  /** Waits until the run settles or `started()` sees it running, whichever comes first. */
  async #firstOf(promise: Promise<RunResult>, started: () => Promise<boolean>): Promise<{ outcome: Outcome } | { started: true }> {
    let outcome: Outcome | undefined;
    const settled = promise.then(
      (result) => (outcome = { result }),
      (error: unknown) => (outcome = { error }),
    );
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      if (outcome) return { outcome };
      const seen = await started();
      if (outcome) return { outcome };
      if (seen) return { started: true };
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, delay))]);
    }
  }
}
