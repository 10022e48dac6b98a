import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAI as createOpenAIv3 } from '@ai-sdk/openai-v3';
import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeRequest, type FakeTurn } from '@keel/testkit';
import { tool, ToolLoopAgent } from 'ai';
import { tool as toolV6, ToolLoopAgent as ToolLoopAgentV6, wrapLanguageModel as wrapLanguageModelV6 } from 'ai-v6';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durable, durableMiddleware, durableTools, hitlTool } from '../src/index.js';
import { lastToolCalled, lastToolOutput } from './support/news-script.js';

// These tests are typed against each SDK's own types (no casts): they fail to compile if the adapter's
// signatures stop fitting `ToolLoopAgent`, `tools` or `wrapLanguageModel` of ai 6 or 7.

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function scoutTurn(request: FakeRequest): FakeTurn {
  switch (lastToolCalled(request)) {
    case undefined:
      return { toolCalls: [{ name: 'searchNews', arguments: { topic: 'AI' } }] };
    case 'searchNews':
      return { toolCalls: [{ name: 'readPage', arguments: { url: 'https://news.example/2' } }] };
    default:
      return { text: `Top story: ${lastToolOutput(request)}` };
  }
}

const searchInput = z.object({ topic: z.string() });
const pageInput = z.object({ url: z.string() });

describe('the README snippet', () => {
  it('ai 7: durable(new ToolLoopAgent(…)) keeps the SDK result and stream types', async () => {
    fake = await startFakeLLM({ script: Array.from({ length: 6 }, () => scoutTurn) });
    const runtime = createRuntime({ store: memoryStore() });
    const model = createOpenAI({ baseURL: fake.url, apiKey: 'test' })('gpt-4o');
    const searchNews = tool({ description: 'Search news', inputSchema: searchInput, execute: async ({ topic }) => [`https://news.example/2?q=${topic}`] });
    const readPage = tool({ description: 'Read a page', inputSchema: pageInput, execute: async ({ url }) => `An open model tops the charts (${url})` });
    const instructions = 'Find the news that matters.';

    const agent = durable(new ToolLoopAgent({ model, tools: { searchNews, readPage }, instructions }), { runtime });
    const result = await agent.generate({ prompt: 'Find the most important AI news' });
    const text: string = result.text;
    expect(text).toBe('Top story: An open model tops the charts (https://news.example/2)');
    expect(result.steps.map((step) => step.toolCalls.map((call) => call.toolName))).toEqual([['searchNews'], ['readPage'], []]);

    const stream = await agent.stream({ prompt: 'Find the most important AI news' });
    let streamed = '';
    for await (const delta of stream.textStream) streamed += delta;
    expect(streamed).toBe(text);
    // Outside a flow the stream ends only once its run is recorded: a script may exit right here.
    expect(await runtime.executions.list({ status: ['completed'] })).toHaveLength(2);
  });

  it('ai 6: durable agent, durableMiddleware in wrapLanguageModel, durableTools and hitlTool fit its types', async () => {
    fake = await startFakeLLM({
      script: [
        { toolCalls: [{ name: 'askEditor', arguments: { question: 'Lead with the model story?' } }] },
        (request: FakeRequest) => `Editor: ${lastToolOutput(request)}`,
      ],
    });
    const runtime = createRuntime({ store: memoryStore() });
    const model = wrapLanguageModelV6({ model: createOpenAIv3({ baseURL: fake.url, apiKey: 'test' }).chat('gpt-4o'), middleware: durableMiddleware() });
    const askEditor = hitlTool({
      description: 'Ask the editor',
      inputSchema: z.object({ question: z.string() }),
      question: ({ question }) => question,
      schema: z.object({ yes: z.boolean() }),
    });
    const readPage = toolV6({ description: 'Read a page', inputSchema: pageInput, execute: async ({ url }) => url });
    const agent = durable(new ToolLoopAgentV6({ model, tools: durableTools({ askEditor, readPage }) }));
    const edit = runtime.flow('edit', async (prompt: string) => (await agent.generate({ prompt })).text);

    const waiting = await edit.run('Plan the front page');
    expect(waiting.waits?.[0]).toMatchObject({ name: 'askEditor', question: 'Lead with the model story?' });
    await runtime.executions.input(waiting.executionId, 'askEditor', { yes: true });
    expect(await edit.resume(waiting.executionId)).toMatchObject({ status: 'completed', output: 'Editor: {"yes":true}' });
    expect(fake.requests).toHaveLength(2);
  });
});
