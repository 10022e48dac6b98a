import { KeelError } from '@keel/core';
import { createUIMessageStreamResponse, type UIMessageChunk } from 'ai';

/**
 * A UI message stream response (server-sent events, the AI SDK's headers) over `chunks`. When the
 * client goes away the reading stops; the turn itself goes on.
 */
export function chunkStreamResponse(chunks: (signal: AbortSignal) => AsyncIterable<UIMessageChunk>): Response {
  const controller = new AbortController();
  const iterator = chunks(controller.signal)[Symbol.asyncIterator]();
  const stream = new ReadableStream<UIMessageChunk>({
    async pull(output) {
      const next = await iterator.next();
      if (next.done) output.close();
      else output.enqueue(next.value);
    },
    async cancel() {
      controller.abort();
      await iterator.return?.();
    },
  });
  return createUIMessageStreamResponse({ stream });
}

/** HTTP statuses of the errors a chat request can meet; anything else is a 500. */
const statuses: Readonly<Record<string, number>> = {
  ChatNotFoundError: 404,
  ChatRequestInvalidError: 400,
  ChatTurnBusyError: 409,
  WaitInputInvalidError: 400,
  WaitNotFoundError: 409,
  ExecutionStateError: 409,
};

/**
 * An error in the form the AI SDK's chat transport reports: a non-2xx status whose body text becomes
 * the `Error` message `useChat` shows. The error's name is in the `x-keel-error` header, for code.
 */
export function chatErrorResponse(error: unknown): Response {
  const name = KeelError.isInstance(error) ? error.name : 'Error';
  const status = statuses[name] ?? 500;
  const message = error instanceof Error ? error.message : String(error);
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-keel-error': name } });
}
