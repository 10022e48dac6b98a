import type { Budget, ExecutionRecord, ReplayOptions, Runtime, Store } from '@keel/core';
import { ExecutionNotFoundError, FlowCodeNotLoadedError } from '@keel/core';
import type { BackgroundRuns } from './background-runs.js';
import { waitBounded, type BoundedOutcome } from './bounded-wait.js';

/** Statuses an execution rests in: a run that reaches one has nothing more to do for now. */
const resting: readonly ExecutionRecord['status'][] = ['completed', 'failed', 'cancelled', 'waiting'];

/**
 * The operations that run flow code in this server's process (resume, retry, replay), each awaited
 * for a bounded time: what ends in time is answered with its result, what runs longer goes on here in
 * the background (holding its lease) and is answered with its id.
 */
export class RunOperations {
  readonly runtime: Runtime;
  readonly runs: BackgroundRuns;
  readonly #flowCodeMissing: string | undefined;

  /** @param flowCodeMissing - How to load the flows' code, when the runtime has none on purpose (`KeelMcpServerOptions.flowCodeMissing`). */
  constructor(runtime: Runtime, runs: BackgroundRuns, flowCodeMissing?: string) {
    this.runtime = runtime;
    this.runs = runs;
    this.#flowCodeMissing = flowCodeMissing;
  }

  /** Resumes or retries an execution here, waiting at most `waitMs` for it to end. */
  async continue(operation: 'resume' | 'retry', executionId: string, waitMs: number): Promise<BoundedOutcome> {
    const handle = await this.#needingCode(operation, executionId, () => this.runtime.executions.begin(operation, executionId));
    const outcome = await waitBounded(handle, waitMs);
    if ('running' in outcome) this.runs.track(operation, executionId, handle.result);
    return outcome;
  }

  /** Replays an execution here (a new execution), waiting at most `waitMs` for it to end. */
  async replay(executionId: string, options: ReplayOptions, waitMs: number): Promise<BoundedOutcome> {
    const handle = await this.#needingCode('replay', executionId, () => this.runtime.executions.beginReplay(executionId, options));
    const outcome = await waitBounded(handle, waitMs);
    if ('running' in outcome) this.runs.track('replay', handle.executionId, handle.result);
    return outcome;
  }

  /**
   * Queues a new execution for a worker and, when `waitMs` is above 0, watches the store until a
   * worker has run it to an end or a wait, or the time is up.
   */
  async start(
    flow: string,
    input: unknown,
    waitMs: number,
    route?: { readonly tag: string } | { readonly version: string },
    budget?: Budget,
  ): Promise<ExecutionRecord> {
    // Through a tag or version: pinned to that deployed version (checked against its input schema);
    // otherwise this server's own code version of the flow.
    const options = budget ? { budget } : {};
    const { executionId } = route
      ? await this.runtime.deployments.invoke(flow, input, { ...route, ...options })
      : await this.#needingCode('run', undefined, () => this.runtime.start(flow, input, options));
    const store = await this.runtime.store();
    const deadline = Date.now() + waitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const record = await this.#execution(store, executionId);
      if (resting.includes(record.status) || Date.now() >= deadline) return record;
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    }
  }

  /** Runs an operation that needs a flow's code; without the code loaded on purpose, says so (`FlowCodeNotLoadedError`). */
  async #needingCode<T>(operation: string, executionId: string | undefined, start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      if (this.#flowCodeMissing === undefined) throw error;
      throw FlowCodeNotLoadedError.fromFlowNotFound(error, { operation, hint: this.#flowCodeMissing, ...(executionId !== undefined ? { executionId } : {}) });
    }
  }

  async #execution(store: Store, executionId: string): Promise<ExecutionRecord> {
    const execution = await store.getExecution(executionId);
    if (!execution) throw new ExecutionNotFoundError({ executionId, store: store.location });
    return execution;
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
