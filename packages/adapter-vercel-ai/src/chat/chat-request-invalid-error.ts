import { KeelError, isKeelErrorNamed } from '@keel/core';

/**
 * A chat `POST` the handler cannot take: not JSON, no chat id, messages that are not valid UI
 * messages, nothing new to answer. Nothing was stored.
 */
export class ChatRequestInvalidError extends KeelError {
  /** The chat id of the request, when it had one. */
  readonly chatId: string | undefined;

  constructor({ chatId, problem, cause }: { chatId?: string; problem: string; cause?: unknown }) {
    super(
      `The chat request${chatId ? ` for chat "${chatId}"` : ''} is invalid: ${problem}. ` +
        "Send what the AI SDK's DefaultChatTransport sends: { id, messages } with the conversation's UI messages, the new one last. Nothing was stored.",
      cause === undefined ? undefined : { cause },
    );
    this.chatId = chatId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ChatRequestInvalidError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ChatRequestInvalidError>('ChatRequestInvalidError');
}
