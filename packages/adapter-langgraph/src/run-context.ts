import { AsyncLocalStorage } from 'node:async_hooks';
import type { Granularity } from './options.js';

/** What a durable graph run tells the model and tool wrappers that run inside it. */
export interface RunContext {
  readonly granularity: Granularity;
  /**
   * Stops the graph run because of a Keel error (a divergence, a cancelled execution, a lost
   * lease) that LangGraph would otherwise swallow: `ToolNode` turns every tool error into a message
   * for the model, which must not happen to Keel's own.
   */
  readonly stop: (error: unknown) => void;
}

const storage = new AsyncLocalStorage<RunContext>();

/** The context of the durable graph run the calling code is in, if any. */
export function currentRunContext(): RunContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `context` as the current run context. */
export function runWithContext<T>(context: RunContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** Keel errors that are a tool's or a model's own outcome, which the graph may handle like any error. */
const callOutcomes = new Set(['CheckpointTimeoutError', 'UnfinishedCallError', 'WaitTimeoutError']);

/** Whether `error` is one of Keel's errors that must stop the run rather than reach the graph's code. */
export function isRunStopping(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const marked = (error as Record<symbol, unknown>)[Symbol.for('keel.error')] === true;
  return marked && !callOutcomes.has((error as Error).name);
}
