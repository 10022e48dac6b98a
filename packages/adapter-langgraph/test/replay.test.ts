import { createRuntime, memoryStore } from '@keel/core';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { expect, test } from 'vitest';
import { durableChatModel, durableGraph } from '@keel/adapter-langgraph';
import { writerGraph } from './writer-graph.js';

test('a Keel replay from a model call runs the turn again on a copy of the thread, reusing the calls before it', async () => {
  const runtime = createRuntime({ store: memoryStore() });
  const inner = fakeModel().respond(new AIMessage('outline')).respond(new AIMessage('draft one')).respond(new AIMessage('draft two'));
  const model = durableChatModel(inner);
  const graph = durableGraph(writerGraph(model), { runtime });
  const config = { configurable: { thread_id: 'essay' } };
  await graph.invoke({ messages: [new HumanMessage('Write about Keel')] }, config);
  const [original] = await graph.keel.executions('essay');
  const calls = (await runtime.executions.checkpoints(original!.id)).filter((record) => record.kind === 'model');
  expect(calls.map((record) => record.id)).toEqual(['langgraph:1/model:plan@1#1', 'langgraph:1/model:write@2#1']);

  const replay = await runtime.executions.replay(original!.id, { from: 'langgraph:1/model:write@2#1' });
  expect(replay.status).toBe('completed');
  expect((replay.output as { messages: BaseMessage[] }).messages.map((message) => message.content)).toEqual(['Write about Keel', 'outline', 'draft two']);
  expect(inner.callCount).toBe(3); // the outline came from the record, the draft was written again

  // A replay of everything reuses every call; one from the very start makes them all again.
  const reused = await runtime.executions.replay(original!.id);
  expect((reused.output as { messages: BaseMessage[] }).messages.map((message) => message.content)).toEqual(['Write about Keel', 'outline', 'draft one']);
  expect(inner.callCount).toBe(3);
  inner.respond(new AIMessage('new outline')).respond(new AIMessage('new draft'));
  const fresh = await runtime.executions.replay(original!.id, { from: 'langgraph:1' });
  expect((fresh.output as { messages: BaseMessage[] }).messages.map((message) => message.content)).toEqual(['Write about Keel', 'new outline', 'new draft']);
  expect(inner.callCount).toBe(5);

  // The conversation itself is as the original turn left it.
  const state = await graph.getState(config);
  expect((state.values as { messages: BaseMessage[] }).messages.map((message) => message.content)).toEqual(['Write about Keel', 'outline', 'draft one']);
  await runtime.close();
});
