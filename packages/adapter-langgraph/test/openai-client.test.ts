import { createRuntime, memoryStore, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { HumanMessage, type AIMessageChunk } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { Command } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent, humanInTheLoopMiddleware } from 'langchain';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { z } from 'zod';
import { durableChatModel, durableGraph, durableTools } from '@keel/adapter-langgraph';

let runtime: Runtime;
let fake: FakeLLM;
beforeEach(async () => {
  runtime = createRuntime({ store: memoryStore() });
  fake = await startFakeLLM({
    script: [
      { toolCalls: [{ name: 'lookup', arguments: { topic: 'Keel' } }], usage: { inputTokens: 40, outputTokens: 8 } },
      { toolCalls: [{ name: 'publish', arguments: { title: 'Keel brief' } }], usage: { inputTokens: 60, outputTokens: 9 } },
      { text: 'Published the Keel brief.', usage: { inputTokens: 80, outputTokens: 5 } },
    ],
  });
});
afterEach(async () => {
  await fake.stop();
  await runtime.close();
});

test('ChatOpenAI in createAgent, streamed, with an approval: every request reaches the provider once', async () => {
  const performed: string[] = [];
  const lookup = tool(async ({ topic }) => (performed.push(`lookup ${topic}`), `3 articles on ${topic}`), {
    name: 'lookup',
    description: 'Find articles.',
    schema: z.object({ topic: z.string() }),
  });
  const publish = tool(async ({ title }) => (performed.push(`publish ${title}`), `published ${title}`), {
    name: 'publish',
    description: 'Publish a brief.',
    schema: z.object({ title: z.string() }),
  });
  const chat = new ChatOpenAI({ model: 'gpt-test', apiKey: 'test', configuration: { baseURL: fake.url }, maxRetries: 0, streamUsage: true });
  const agent = createAgent({
    model: durableChatModel(chat),
    tools: durableTools([lookup, publish]),
    middleware: [humanInTheLoopMiddleware({ interruptOn: { publish: true } })],
  });
  const graph = durableGraph(agent, { runtime, name: 'scout' });
  const config = { configurable: { thread_id: 'scout-1' }, streamMode: ['messages', 'updates'] as ('messages' | 'updates')[] };

  const firstRun: unknown[] = [];
  for await (const chunk of await graph.stream({ messages: [new HumanMessage('Brief me on Keel')] }, config)) firstRun.push(chunk);
  const interrupts = firstRun.filter(([mode, data]: any) => mode === 'updates' && data.__interrupt__);
  expect(interrupts).toHaveLength(1);
  expect(fake.requests.map((request) => request.stream)).toEqual([true, true]);
  expect(performed).toEqual(['lookup Keel']);

  const secondRun: [string, unknown][] = [];
  for await (const chunk of await graph.stream(new Command({ resume: { decisions: [{ type: 'approve' }] } }), config))
    secondRun.push(chunk as [string, unknown]);
  const text = secondRun
    .filter(([mode]) => mode === 'messages')
    .map(([, [message]]: any) => message as AIMessageChunk)
    .filter((message) => message.getType() === 'ai')
    .map((message) => message.content)
    .join('');
  expect(text).toBe('Published the Keel brief.');
  // Three model calls in all: none was made twice, across the approval.
  expect(fake.requests).toHaveLength(3);
  expect(fake.remaining).toBe(0);
  expect(performed).toEqual(['lookup Keel', 'publish Keel brief']);

  const [execution] = await graph.keel.executions('scout-1');
  expect(execution!.status).toBe('completed');
  const records = await runtime.executions.checkpoints(execution!.id);
  expect(records.filter((record) => record.kind === 'model').map((record) => record.metadata)).toEqual([
    expect.objectContaining({ model: 'gpt-test', usage: { inputTokens: 40, outputTokens: 8 } }),
    expect.objectContaining({ model: 'gpt-test', usage: { inputTokens: 60, outputTokens: 9 } }),
    expect.objectContaining({ model: 'gpt-test', usage: { inputTokens: 80, outputTokens: 5 } }),
  ]);
  expect(records.filter((record) => record.kind === 'tool').map((record) => [record.name, record.input, record.metadata?.['toolCallId']])).toEqual([
    ['lookup', { topic: 'Keel' }, 'call_1'],
    ['publish', { title: 'Keel brief' }, 'call_2'],
  ]);
  // The prompt is captured as LangChain message JSON.
  const firstCall = records.find((record) => record.kind === 'model')!;
  expect(JSON.stringify(firstCall.input)).toContain('Brief me on Keel');
});
