import { KeelError, isKeelErrorNamed } from '@keel/core';

/**
 * A new message was sent while the chat's last turn is still running, or waits for an approval the
 * message does not answer. The running turn goes on untouched; the new message was not stored.
 */
export class ChatTurnBusyError extends KeelError {
  /** The chat id. */
  readonly chatId: string;
  /** The execution of the turn in the way. */
  readonly executionId: string;
  /** Its status: `running`, `queued` or `waiting`. */
  readonly status: string;

  constructor({ chatId, executionId, status }: { chatId: string; executionId: string; status: string }) {
    const what =
      status === 'waiting'
        ? 'waits for a tool approval; answer it (approve or deny the tool call) before sending a new message'
        : 'is still answering; reconnect to it (GET …/stream), or stop it (DELETE …/stream), then send again';
    super(`Chat "${chatId}": the last turn (execution "${executionId}") ${what}. The new message was not stored.`);
    this.chatId = chatId;
    this.executionId = executionId;
    this.status = status;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ChatTurnBusyError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ChatTurnBusyError>('ChatTurnBusyError');
}
