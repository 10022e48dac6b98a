import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckpointInfo, Executions } from '@keel/core';

/** What one look at the store found. */
export interface WatchedState {
  /** Every checkpoint of the execution, in call order. */
  readonly checkpoints: readonly CheckpointInfo[];
  /** The ones whose status or attempt count changed since the last look, in the order they ended. */
  readonly changed: readonly CheckpointInfo[];
}

/**
 * Follows an execution's checkpoints by reading the store, as a second terminal would: the demo
 * shows what the store says, not what the process running the flow claims. Payloads are decoded only
 * when something changed.
 */
export class CheckpointWatcher {
  readonly #executions: Executions;
  readonly #executionId: string;
  readonly #intervalMs: number;
  readonly #seen = new Map<string, string>();
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(executions: Executions, executionId: string, intervalMs = 100) {
    this.#executions = executions;
    this.#executionId = executionId;
    this.#intervalMs = intervalMs;
  }

  /** Marks the current checkpoints as seen, so that only later changes are reported. */
  async baseline(): Promise<readonly CheckpointInfo[]> {
    const checkpoints = await this.#executions.checkpoints(this.#executionId);
    for (const checkpoint of checkpoints) this.#seen.set(checkpoint.id, stateOf(checkpoint));
    return checkpoints;
  }

  /** Looks once; reports what changed since the last look. */
  async poll(): Promise<WatchedState> {
    const light = await this.#executions.checkpoints(this.#executionId, { payloads: false });
    if (light.every((checkpoint) => this.#seen.get(checkpoint.id) === stateOf(checkpoint))) return { checkpoints: light, changed: [] };
    const checkpoints = await this.#executions.checkpoints(this.#executionId);
    const changed = checkpoints.filter((checkpoint) => this.#seen.get(checkpoint.id) !== stateOf(checkpoint));
    for (const checkpoint of changed) this.#seen.set(checkpoint.id, stateOf(checkpoint));
    changed.sort((left, right) => (left.endedAt ?? Number.MAX_SAFE_INTEGER) - (right.endedAt ?? Number.MAX_SAFE_INTEGER) || left.seq - right.seq);
    return { checkpoints, changed };
  }

  /** Polls until {@link stop}, handing every look to `onState`. */
  start(onState: (state: WatchedState) => void | Promise<void>): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        await onState(await this.poll());
        await sleep(this.#intervalMs);
      }
    })();
  }

  /** Stops polling, after one last look (so nothing that happened before the stop is missed). */
  async stop(onState?: (state: WatchedState) => void | Promise<void>): Promise<void> {
    this.#running = false;
    await this.#loop;
    if (onState) await onState(await this.poll());
  }
}

function stateOf(checkpoint: CheckpointInfo): string {
  return `${checkpoint.status}:${checkpoint.attempts}`;
}
