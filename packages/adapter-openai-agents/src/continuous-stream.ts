import { StreamedRunResult, type RunState, type RunStreamEvent } from '@openai/agents';

/**
 * The members of `StreamedRunResult` the runner itself feeds a result with. They are internal to the
 * SDK (not in its type declarations) but stable across 0.x; the SDK's own agent-as-tool streaming
 * uses them the same way.
 */
interface StreamFeed {
  state: RunState<any, any>;
  currentTurn: number;
  maxTurns: number | null | undefined;
  _addItem(event: RunStreamEvent): void;
  _done(): void;
  _raiseError(error: unknown): void;
}

/** A streamed run that may continue as another leg after approvals. */
export interface ContinuousStream<Result extends StreamedRunResult<any, any>> {
  /** One `StreamedRunResult` for the whole run, whatever number of legs it takes. */
  readonly result: Result;
  /** Settles when the last leg ended (rejects with the run's error). */
  readonly finished: Promise<void>;
  /** Ends the stream (`completed` resolves), when it was created with `deferEnd`. */
  end(): void;
}

/**
 * Presents a run that stops at approvals and continues from a `RunState` — several SDK streamed runs
 * ("legs") — as one `StreamedRunResult`: its events are those of every leg in order, its state is the
 * current leg's, and `completed` resolves when the last leg ended. A consumer (and a flow awaiting
 * `completed`) therefore cannot mistake the end of an interrupted leg for the end of the run.
 *
 * @param next - Called after each leg ends; returns the next leg, or `undefined` when the run is over.
 * @param options.deferEnd - Leave ending the stream to the caller (`end()`), e.g. until the execution
 *   that records the run is stored as completed, so that `await result.completed` means "recorded".
 */
export function continuousStream<Result extends StreamedRunResult<any, any>>(
  first: Result,
  next: (leg: Result) => Promise<Result | undefined>,
  options: { readonly deferEnd?: boolean } = {},
): ContinuousStream<Result> {
  const whole = new StreamedRunResult({ state: first.state }) as unknown as Result & StreamFeed;
  whole.maxTurns = first.maxTurns;
  const finished = (async () => {
    let leg = first;
    try {
      for (;;) {
        whole.state = leg.state;
        for await (const event of leg) {
          if (whole.cancelled) {
            // The consumer stopped reading: stop the leg too (leaving the loop cancels its stream).
            whole._done();
            return;
          }
          whole._addItem(event);
          whole.currentTurn = leg.currentTurn;
        }
        await leg.completed;
        const following = await next(leg);
        if (!following) break;
        leg = following;
      }
      whole.state = leg.state;
      if (!options.deferEnd) whole._done();
    } catch (error) {
      whole._raiseError(error);
      throw error;
    }
  })();
  return { result: whole, finished, end: () => whole._done() };
}
