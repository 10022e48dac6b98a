import type { Store } from '@keel/core';
import type { UIMessageChunk } from 'ai';

/** The log line message under which a turn's UI message chunks are recorded (one line per chunk). */
export const chunkLogMessage = 'chat.ui-message-chunk';

/**
 * Records the UI message chunks of one session of a turn in the store's execution log, as they
 * stream. The log is append-only, ordered and read by offset, which is what a reader following a
 * turn from another process needs. Chunks are written in batches, one write at a time: while a write
 * is in flight, the next chunks queue, so a fast stream costs a few writes, not one per token.
 */
export class ChunkLogWriter {
  #queued: UIMessageChunk[] = [];
  #writing: Promise<void> = Promise.resolve();
  #failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly store: Store,
    private readonly executionId: string,
    private readonly session: number,
  ) {}

  /** Queues a chunk. */
  write(chunk: UIMessageChunk): void {
    this.#queued.push(chunk);
    if (this.#queued.length === 1) this.#writing = this.#writing.then(() => this.#writeQueued());
  }

  /** Resolves once every queued chunk is stored; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.#writing;
    await this.#writeQueued();
    if (this.#failure) throw this.#failure.error;
  }

  async #writeQueued(): Promise<void> {
    const batch = this.#queued;
    this.#queued = [];
    if (batch.length === 0 || this.#failure) return;
    const time = Date.now();
    try {
      await this.store.appendLogs(
        batch.map((chunk) => ({
          executionId: this.executionId,
          checkpointId: null,
          level: 'debug' as const,
          message: chunkLogMessage,
          fields: { chunk },
          session: this.session,
          time,
        })),
      );
    } catch (error) {
      this.#failure = { error };
    }
  }
}

/** What a read of a turn's chunk log found. */
export interface ChunkLogRead {
  /** The session whose chunks these are: the latest one that recorded any. 0 when none did. */
  readonly session: number;
  /** Its chunks, in order. */
  readonly chunks: readonly UIMessageChunk[];
  /** How many log lines were read in all: the offset to read on from. */
  readonly offset: number;
}

/** The recorded chunks of a turn's latest session (a session regenerates the whole answer). */
export async function readChunkLog(store: Store, executionId: string, from: ChunkLogRead = { session: 0, chunks: [], offset: 0 }): Promise<ChunkLogRead> {
  const lines = await store.listLogs(executionId, { offset: from.offset });
  let { session } = from;
  let chunks = [...from.chunks];
  for (const line of lines) {
    if (line.message !== chunkLogMessage) continue;
    if (line.session > session) {
      session = line.session;
      chunks = [];
    }
    if (line.session === session) chunks.push(line.fields?.['chunk'] as UIMessageChunk);
  }
  return { session, chunks, offset: from.offset + lines.length };
}
