import { KeelError } from '../errors/keel-error.js';
import { PartChannel } from './part-channel.js';
import type { CheckpointContext } from './types.js';

/**
 * A streamed call as a checkpoint: live, its parts reach the consumer as they come and are stored once
 * the stream ended; on replay the stored parts come back as an equivalent stream. A stream cut short (a
 * crash, an error, a consumer that stopped reading) is not recorded as completed, so it runs again
 * rather than being half-replayed. Streams are not retried: parts already given to the consumer cannot
 * be taken back.
 *
 * @param runCheckpoint - Runs `collect` as the call's checkpoint (or returns its recorded parts).
 * @param start - Starts the live stream.
 */
export function recordedStream<Part>(
  runCheckpoint: (collect: (context: CheckpointContext) => Promise<Part[]>) => Promise<Part[]>,
  start: (context: CheckpointContext) => AsyncIterable<Part> | Promise<AsyncIterable<Part>>,
): AsyncIterable<Part> {
  const channel = new PartChannel<Part>();
  let stopped = false;
  const collect = async (context: CheckpointContext): Promise<Part[]> => {
    const parts: Part[] = [];
    for await (const part of await start(context)) {
      if (stopped) throw new KeelError(`The stream of "${context.checkpointId}" was not read to its end; it will run again.`);
      parts.push(part);
      channel.push(part);
    }
    return parts;
  };
  let live = true;
  runCheckpoint(collect).then(
    (parts) => {
      // A replayed call never ran `collect`: hand its stored parts to the consumer now.
      if (channel.pushed === 0 && parts.length > 0) for (const part of parts) channel.push(part);
      live = false;
      channel.end();
    },
    (error: unknown) => channel.fail(error),
  );
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = channel[Symbol.asyncIterator]();
      return {
        next: () => iterator.next(),
        return: async () => {
          if (live) stopped = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
}
