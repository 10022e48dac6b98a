import { createRuntime, memoryStore, type Runtime } from '@keel/core';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { AIMessage, HumanMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { Command, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { durableChatModel, durableGraph } from '@keel/adapter-langgraph';

let runtime: Runtime;
beforeEach(() => {
  runtime = createRuntime({ store: memoryStore() });
});
afterEach(async () => {
  await runtime.close();
});

/** LangChain's fake streaming model (one chunk per character), counting the streams it really produces. */
class CountingListModel extends FakeListChatModel {
  streams = 0;

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.streams += 1;
    yield* super._streamResponseChunks(messages, options, runManager);
  }
}

async function tokens(stream: AsyncIterable<unknown>): Promise<string[]> {
  const seen: string[] = [];
  for await (const [chunk, metadata] of stream as AsyncIterable<[AIMessageChunk, Record<string, unknown>]>) {
    if (metadata['langgraph_node'] === 'answer') seen.push(String(chunk.content));
  }
  return seen;
}

test("a replayed streamed call gives streamMode 'messages' the same tokens, once, without calling the model", async () => {
  const inner = new CountingListModel({ responses: ['Keel keeps runs'] });
  const model = durableChatModel(inner);
  const graph = durableGraph(
    new StateGraph(MessagesAnnotation)
      .addNode('answer', async (state) => {
        const reply = await model.invoke(state.messages);
        const send = interrupt('Send this reply?');
        return { messages: [reply, new AIMessage(`sent: ${String(send)}`)] };
      })
      .addEdge(START, 'answer')
      .addEdge('answer', END)
      .compile(),
    { runtime },
  );
  const config = { configurable: { thread_id: 's' }, streamMode: 'messages' as const };

  const live = await tokens(await graph.stream({ messages: [new HumanMessage('hi')] }, config));
  expect(live).toEqual([...'Keel keeps runs']);
  expect(inner.streams).toBe(1);

  // Resuming runs the node again: its model call is served from the record, token by token.
  const resumed = await tokens(await graph.stream(new Command({ resume: 'yes' }), config));
  expect(resumed).toEqual([...'Keel keeps runs', 'sent: yes']);
  expect(inner.streams).toBe(1);

  const [execution] = await graph.keel.executions('s');
  expect(execution!.status).toBe('completed');
  const records = await runtime.executions.checkpoints(execution!.id);
  expect(records.filter((record) => record.status === 'failed')).toEqual([]);
  const [call] = records.filter((record) => record.kind === 'model');
  expect(call!.id).toBe('langgraph:1/model:answer@1#1');
  expect(call!.ordered).toBe(false);
  expect((call!.output as { type: string }[]).map((part) => part.type)).toEqual(Array.from({ length: 15 }, () => 'chunk'));
  expect(call!.metadata).toMatchObject({ model: 'fake-list', node: 'answer', step: 1 });
});

test('a call recorded by invoke replays into a stream, and a streamed one into invoke', async () => {
  const inner = new CountingListModel({ responses: ['first answer'] });
  const model = durableChatModel(inner);
  const graph = durableGraph(
    new StateGraph(MessagesAnnotation)
      .addNode('answer', async (state) => {
        const reply = await model.invoke(state.messages);
        return { messages: [reply, new AIMessage(`then: ${String(interrupt('Go on?'))}`)] };
      })
      .addEdge(START, 'answer')
      .addEdge('answer', END)
      .compile(),
    { runtime },
  );
  // Recorded without streaming (invoke), resumed with streaming: the record is streamed as one chunk.
  await graph.invoke({ messages: [new HumanMessage('hi')] }, { configurable: { thread_id: 'i' } });
  const resumed = await tokens(await graph.stream(new Command({ resume: 'ok' }), { configurable: { thread_id: 'i' }, streamMode: 'messages' }));
  expect(resumed).toEqual(['first answer', 'then: ok']);
  expect(inner.streams).toBe(0);
});
