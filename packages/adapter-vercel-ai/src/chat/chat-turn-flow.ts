import type { Runtime } from '@keel/core';
import { currentExecution } from '@keel/core/adapter';
import { convertToModelMessages, type UIMessage, type UIMessageChunk } from 'ai';
import { assistantMessage } from './assistant-message.js';
import type { ChatTurnInput, ChatTurnOutput, ChatTurns } from './chat-turns.js';
import { ChunkIds } from './chunk-ids.js';
import { ChunkLogWriter } from './chunk-log.js';
import type { LiveTurns } from './live-turn.js';

/** What the body of a chat turn needs. */
export interface ChatTurnDependencies {
  readonly runtime: Runtime;
  readonly turns: ChatTurns;
  readonly live: LiveTurns;
  /** The durable agent (in a flow, its calls are the turn's checkpoints). */
  readonly agent: { stream(parameters: Record<string, unknown>): Promise<unknown> };
}

type UIStreamResult = { toUIMessageStream(options?: Record<string, unknown>): AsyncIterable<UIMessageChunk> };

/**
 * The body of a chat turn's execution. It streams the agent's answer to the conversation so far and
 * records every UI message chunk as it comes: in memory for this process's readers, in the store's
 * log for everyone else's. A resumed session runs it again from the top: the recorded model and tool
 * calls come back from their records (no provider request, no tool run), so it regenerates the same
 * chunks up to the call that was in flight, which runs again.
 */
export function chatTurnBody({ runtime, turns, live, agent }: ChatTurnDependencies) {
  return async (input: ChatTurnInput): Promise<ChatTurnOutput> => {
    const execution = currentExecution();
    if (!execution) throw new Error('A chat turn runs inside its flow.');
    const stream = live.open(execution.executionId, execution.session);
    const log = new ChunkLogWriter(await runtime.store(), execution.executionId, execution.session);
    const history: UIMessage[] = [...(await turns.messages(input.chatId, { before: input.turn })), ...input.messages];
    const messages = await convertToModelMessages(
      history.map(({ id: _id, ...message }) => message),
      { ignoreIncompleteToolCalls: true },
    );
    const result = (await agent.stream({ messages, abortSignal: execution.signal })) as UIStreamResult;
    const ids = new ChunkIds(execution.executionId);
    const chunks: UIMessageChunk[] = [];
    for await (const raw of result.toUIMessageStream({ sendReasoning: true })) {
      const chunk = ids.normalize(raw);
      chunks.push(chunk);
      stream.push(chunk);
      log.write(chunk);
    }
    // Readers in other processes see the whole stream before they see the turn completed.
    await log.flush();
    const message = await assistantMessage(chunks);
    return message ? { message } : {};
  };
}
