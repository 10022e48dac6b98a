import type { ExecutionRecord, Runtime, WaitInfo } from '@keel/core';
import type { UIMessage, UIMessageChunk } from 'ai';
import { assistantMessage } from './assistant-message.js';
import { readChunkLog } from './chunk-log.js';

/** What a turn's execution is given: the chat, the turn's number, and the messages the turn answers. */
export interface ChatTurnInput {
  readonly chatId: string;
  /** 1 for the chat's first turn. */
  readonly turn: number;
  /** The messages this turn added (the user's new message); earlier turns keep theirs. */
  readonly messages: readonly UIMessage[];
}

/** What a completed turn stores: the assistant's message. */
export interface ChatTurnOutput {
  readonly message?: UIMessage;
}

/** One turn of a chat, as stored. */
export interface ChatTurn {
  readonly turn: number;
  readonly execution: ExecutionRecord;
}

/** A chat id: what `DefaultChatTransport` generates, and a safe part of an execution id. */
const chatIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Whether `chatId` can name a chat. */
export function isChatId(chatId: unknown): chatId is string {
  return typeof chatId === 'string' && chatIdPattern.test(chatId);
}

/** Statuses of a turn that is still answering (or is owed recovery). */
export function isTurnRunning(execution: ExecutionRecord): boolean {
  return execution.status === 'running' || execution.status === 'queued';
}

/**
 * A chat as Keel stores it: turn `n` of chat `c` is the execution `<flow>-<c>-<n>`, whose input holds
 * the messages the turn added and whose output holds the assistant's answer. Each message is stored
 * once, with the turn that added it, so a long chat grows linearly; loading it reads its turns in
 * order by id, with no scan of the store.
 */
export class ChatTurns {
  constructor(
    private readonly runtime: Runtime,
    private readonly flowName: string,
  ) {}

  /** The execution id of turn `turn` of `chatId`. */
  executionId(chatId: string, turn: number): string {
    return `${this.flowName}-${chatId}-${turn}`;
  }

  /** The chat's turns, first to last. */
  async list(chatId: string): Promise<ChatTurn[]> {
    const store = await this.runtime.store();
    const turns: ChatTurn[] = [];
    for (let turn = 1; ; turn++) {
      const execution = await store.getExecution(this.executionId(chatId, turn));
      if (!execution) return turns;
      turns.push({ turn, execution });
    }
  }

  /**
   * The conversation, as UI messages: each turn's messages, then its answer. A turn still running
   * contributes its messages only (a reconnecting page gets the answer from its stream); a turn
   * waiting for approvals contributes its answer so far, with the approval requests.
   */
  async messages(chatId: string, options: { readonly before?: number } = {}): Promise<UIMessage[]> {
    const messages: UIMessage[] = [];
    for (const { turn, execution } of await this.list(chatId)) {
      if (options.before !== undefined && turn >= options.before) break;
      const info = await this.runtime.executions.get(execution.id);
      messages.push(...(info.input as ChatTurnInput).messages);
      const answer = isTurnRunning(execution) ? undefined : await this.answer(execution, info.output as ChatTurnOutput | undefined, info.waits);
      if (answer) messages.push(answer);
    }
    return messages;
  }

  /** A turn's answer: the stored one, or the one its recorded chunks build. */
  async answer(execution: ExecutionRecord, output: ChatTurnOutput | undefined, waits: readonly WaitInfo[]): Promise<UIMessage | undefined> {
    if (execution.status === 'completed' && output?.message) return output.message;
    const { chunks } = await readChunkLog(await this.runtime.store(), execution.id);
    if (chunks.length === 0) return undefined;
    return assistantMessage([...chunks, ...closingChunks(execution, waits)]);
  }
}

/**
 * The chunks that end a turn's stream once its execution stopped, beyond what its session streamed:
 * the approval requests it waits for, the stop, or the failure. A completed turn streamed its own end.
 */
export function closingChunks(
  execution: Pick<ExecutionRecord, 'status' | 'error'>,
  waits: readonly Pick<WaitInfo, 'id' | 'status' | 'metadata'>[],
): UIMessageChunk[] {
  switch (execution.status) {
    case 'waiting': {
      const requests: UIMessageChunk[] = [];
      for (const wait of waits) {
        const toolCallId = wait.metadata?.['toolCallId'];
        if (wait.status === 'pending' && typeof toolCallId === 'string') requests.push({ type: 'tool-approval-request', approvalId: wait.id, toolCallId });
      }
      return [...requests, { type: 'finish' }];
    }
    case 'cancelled':
      return [{ type: 'abort', reason: 'stopped' }];
    case 'failed':
      return [{ type: 'error', errorText: execution.error?.message ?? 'The turn failed.' }, { type: 'finish' }];
    default:
      return [];
  }
}
