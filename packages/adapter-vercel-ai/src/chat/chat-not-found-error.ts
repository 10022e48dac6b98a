import { KeelError, isKeelErrorNamed } from '@keel/core';

/** A chat request named a chat id that has no turns in the store (or is not a valid chat id). */
export class ChatNotFoundError extends KeelError {
  /** The chat id the request named. */
  readonly chatId: string;

  constructor({ chatId, reason }: { chatId: string; reason?: string }) {
    super(
      `No chat "${chatId}" in this store${reason ? ` (${reason})` : ''}. ` +
        'Start it by sending its first message (POST), or check the id the page reconnects with.',
    );
    this.chatId = chatId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ChatNotFoundError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ChatNotFoundError>('ChatNotFoundError');
}
