import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';

/** A user's message as `useChat` sends it. */
export function userMessage(id: string, text: string): UIMessage {
  return { id, role: 'user', parts: [{ type: 'text', text }] };
}

/** The `POST` `DefaultChatTransport` makes for a turn. */
export function chatPost(chatId: string, messages: readonly UIMessage[], url = 'http://chat.test/api/chat'): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: chatId, messages, trigger: 'submit-message' }),
  });
}

/** The chunks of a UI message stream response (server-sent events), read to its end. */
export async function chunksOf(response: Response): Promise<UIMessageChunk[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data) as UIMessageChunk);
}

/** The message chunks build, continuing `message` if given, as `useChat` builds it. */
export async function messageOf(chunks: readonly UIMessageChunk[], message?: UIMessage): Promise<UIMessage> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream, ...(message ? { message: structuredClone(message) } : {}) })) last = state;
  if (!last) throw new Error('The stream built no message.');
  return last;
}

/** The text parts of a message, joined. */
export function textOf(message: UIMessage): string {
  return message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** A promise with its resolve function, for holding a fake model reply until the test lets it go. */
export function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
