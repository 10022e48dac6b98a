import { AsyncLocalStorage } from 'node:async_hooks';
import type { CheckpointContext } from '@keel/core/adapter';
import type { Settings } from './settings.js';

/**
 * One line of work inside a durable run: the run itself, or one tool call (an agent used as a tool
 * runs its nested run in the tool call's lane). The decorated models and tools consult the lane they
 * are called in: outside any lane — an agent run without `durable()` — they do nothing.
 */
export interface DurableLane {
  readonly settings: Settings;
  /** The agent whose turn was prepared last in this lane: the one the next model request is for. */
  agent: string | undefined;
  /** The tool call this lane runs, with its checkpoint context (for {@link currentToolCall}). */
  readonly toolCall: CheckpointContext | undefined;
}

const storage = new AsyncLocalStorage<DurableLane>();

/** The lane of the code running now, or `undefined` outside durable runs. */
export function currentLane(): DurableLane | undefined {
  return storage.getStore();
}

/** Runs `fn` in `lane`. */
export function runInLane<T>(lane: DurableLane, fn: () => T): T {
  return storage.run(lane, fn);
}
