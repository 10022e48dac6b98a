import type { ReplayOptions, RunHandle, RunResult, Runtime } from '@keel/core';
import type { BackgroundRuns } from './background-runs.js';
import { FlowCodeNotLoadedError, type JsonValue } from '@keel/core';
import { runResultView } from './run-result-view.js';

/** The answer to an operation that runs an execution: 200 with its result, or 202 while it runs on. */
export interface RunAnswer {
  readonly status: 200 | 202;
  readonly body: Record<string, JsonValue>;
}

/**
 * Starts runs in the server's process: resume, retry and replay take the execution's lease here.
 *
 * Each one answers as soon as the run has really started (the runtime's handle: the lease is taken, or
 * the replay's new execution exists), with 202 and the execution id, and goes on in the background;
 * what is refused before that (unknown id, a status that does not allow it, another holder's lease, an
 * unknown `from` checkpoint) is answered as an error. A run that has already ended (or reached a wait)
 * by then is answered with 200 and its result, as is every run when the caller asked to wait for it.
 */
export class RunOperations {
  readonly #runtime: Runtime;
  readonly #runs: BackgroundRuns;
  readonly #flowCodeMissing: string | undefined;

  /** @param flowCodeMissing - How to load the flows' code, when the runtime has none on purpose (`AppOptions.flowCodeMissing`). */
  constructor(runtime: Runtime, runs: BackgroundRuns, flowCodeMissing?: string) {
    this.#runtime = runtime;
    this.#runs = runs;
    this.#flowCodeMissing = flowCodeMissing;
  }

  /** `resume` or `retry` an execution. */
  async continue(operation: 'resume' | 'retry', executionId: string, options: { wait: boolean }): Promise<RunAnswer> {
    const handle = await this.needingCode(operation, executionId, () => this.#runtime.executions.begin(operation, executionId));
    return this.#answer(operation, handle, options.wait, {});
  }

  /** A replay: a new execution that reuses the original's records. */
  async replay(executionId: string, options: ReplayOptions & { wait: boolean }): Promise<RunAnswer> {
    const { wait, ...replayOptions } = options;
    const handle = await this.needingCode('replay', executionId, () => this.#runtime.executions.beginReplay(executionId, replayOptions));
    return this.#answer('replay', handle, wait, { replayOf: executionId });
  }

  /** Runs an operation that needs a flow's code; without the code loaded on purpose, says so (`FlowCodeNotLoadedError`). */
  async needingCode<T>(operation: string, executionId: string | undefined, start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      if (this.#flowCodeMissing === undefined) throw error;
      throw FlowCodeNotLoadedError.fromFlowNotFound(error, { operation, hint: this.#flowCodeMissing, ...(executionId !== undefined ? { executionId } : {}) });
    }
  }

  async #answer(operation: string, handle: RunHandle, wait: boolean, extra: Record<string, JsonValue>): Promise<RunAnswer> {
    const settled = wait ? { result: await handle.result } : await settledNow(handle.result);
    if (settled) return { status: 200, body: { ...runResultView(settled.result), ...extra } };
    this.#runs.track(operation, handle.executionId, handle.result, { reportErrors: () => true });
    return { status: 202, body: { executionId: handle.executionId, operation, ...extra, status: 'running' } };
  }
}

/** The result, when the run has already settled: a run that ended before its start was answered. */
async function settledNow(result: Promise<RunResult>): Promise<{ result: RunResult } | undefined> {
  const pending = Symbol('pending');
  const first = await Promise.race([result, new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending)))]);
  return first === pending ? undefined : { result: first };
}
