import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';

/** The assistant message the chunks of a turn build, as the AI SDK's client builds it. */
export async function assistantMessage(chunks: readonly UIMessageChunk[]): Promise<UIMessage | undefined> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let message: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream, terminateOnError: false, onError: () => {} })) message = state;
  return message;
}
