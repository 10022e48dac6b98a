import { isLeaseAbandoned, type ExecutionRecord, type Store } from '@keel/core';
import type { UIMessageChunk } from 'ai';
import { closingChunks, isTurnRunning } from './chat-turns.js';
import { readChunkLog, type ChunkLogRead } from './chunk-log.js';
import type { LiveTurn } from './live-turn.js';

/** What following a turn run by another process needs. */
export interface TurnFollowerOptions {
  readonly store: Store;
  readonly executionId: string;
  /** Takes over a turn whose process died; resolves with its new stream here, or `undefined` if another process took it. */
  readonly takeOver: () => Promise<LiveTurn | undefined>;
  /** The turn's waits, for the chunks that close a stream stopped at approvals. */
  readonly waits: () => Promise<Parameters<typeof closingChunks>[1]>;
  /** How often to look at the store. */
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

/**
 * Every chunk of a turn that another process runs, from the store's chunk log. It streams nothing
 * until the holder shows it is alive (a new chunk in the log) or the turn ends: the chunks of a
 * holder that died belong to a session whose call in flight will run again, perhaps with another
 * answer, so they are not shown. A holder found dead (its lease abandoned) is taken over here, and
 * the turn streamed from its new session. If another process restarts the turn after this stream
 * showed chunks, the stream ends with an error: the page reconnects and gets the new session whole.
 */
export async function* followTurn(options: TurnFollowerOptions): AsyncGenerator<UIMessageChunk> {
  const { store, executionId, signal } = options;
  let read: ChunkLogRead = await readChunkLog(store, executionId);
  let shown = -1; // chunks of `read.session` already streamed; -1 until the holder proved alive
  while (!signal.aborted) {
    const execution = await store.getExecution(executionId);
    if (!execution || !isTurnRunning(execution)) {
      read = await readChunkLog(store, executionId, read);
      yield* read.chunks.slice(Math.max(shown, 0));
      if (execution) yield* closingChunks(execution, await options.waits());
      return;
    }
    if (shown < 0 && isOwed(execution)) {
      const live = await options.takeOver();
      if (live) {
        yield* live.read(0, signal);
        return;
      }
    }
    const next = await readChunkLog(store, executionId, read);
    if (shown >= 0 && next.session !== read.session) {
      yield { type: 'error', errorText: `The turn (execution "${executionId}") restarted in another process; reconnect to get its answer from the start.` };
      return;
    }
    if (shown >= 0 || next.chunks.length > read.chunks.length || next.session !== read.session) {
      yield* next.chunks.slice(Math.max(shown, 0));
      shown = next.chunks.length;
    }
    read = next;
    await delay(options.pollMs, signal);
  }
}

/** A queued turn, or a running one whose holder died. */
function isOwed(execution: ExecutionRecord): boolean {
  return execution.status === 'queued' || (execution.status === 'running' && (execution.lease === null || isLeaseAbandoned(execution.lease)));
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
