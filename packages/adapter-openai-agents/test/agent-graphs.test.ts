import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeLLMOptions, type FakeRequest } from '@keel/testkit';
import { Agent, tool } from '@openai/agents';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { durable } from '@keel/adapter-openai-agents';
import { providerFor } from './fake-provider.js';
import { lastToolOutput, newsScript } from './news-brain.js';

const fakes: FakeLLM[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
});

async function fakeServer(script: FakeLLMOptions['script']): Promise<FakeLLM> {
  const fake = await startFakeLLM({ script });
  fakes.push(fake);
  return fake;
}

function counted() {
  const executions: string[] = [];
  const searchNews = tool({
    name: 'search_news',
    description: 'Searches today’s news on a topic.',
    parameters: z.object({ topic: z.string() }),
    execute: async ({ topic }) => {
      executions.push(`search_news ${topic}`);
      return JSON.stringify(['Open model beats benchmarks', 'Chip export rules change']);
    },
  });
  return { searchNews, executions };
}

describe('handoffs', () => {
  test('the target agent’s calls are checkpoints of the same run; uninterrupted, the scenario of the crash test', async () => {
    const fake = await fakeServer(newsScript());
    const { searchNews, executions } = counted();
    const writer = new Agent({ name: 'news_writer', instructions: 'You write the story.', model: 'gpt-4o', tools: [searchNews] });
    const triage = durable(new Agent({ name: 'triage', instructions: 'You route requests.', model: 'gpt-4o', handoffs: [writer] }), {
      runConfig: { modelProvider: providerFor(fake) },
    });
    const runtime = createRuntime({ store: memoryStore() });
    const news = runtime.flow('news', async (input: string) => {
      const result = await triage.run(input);
      return { output: result.finalOutput, lastAgent: result.lastAgent?.name };
    });
    const first = await news.run('Find the most important AI news');
    expect(first).toMatchObject({ status: 'completed', output: { output: 'Story: Open model beats benchmarks', lastAgent: 'news_writer' } });
    const checkpoints = await runtime.executions.checkpoints(first.executionId);
    expect(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint.metadata?.['agent']])).toEqual([
      ['model:1', 'triage'],
      ['model:2', 'news_writer'],
      ['search_news:call_2', 'news_writer'],
      ['model:3', 'news_writer'],
    ]);
    const replay = await news.replay(first.executionId);
    expect(replay).toMatchObject({ status: 'completed', output: first.output });
    expect(fake.requests).toHaveLength(3);
    expect(executions).toEqual(['search_news AI']);
  });
});

describe('agents as tools', () => {
  test('the nested agent’s calls are checkpoints inside the tool call’s checkpoint, and replay without requests', async () => {
    const brain = (request: FakeRequest) => {
      const instructions = String((request.body as { instructions?: string }).instructions);
      const last = lastToolOutput(request);
      if (instructions.startsWith('You research')) {
        return last ? `Research: ${(JSON.parse(last.text) as string[])[1]!}` : { toolCalls: [{ name: 'search_news', arguments: { topic: 'chips' } }] };
      }
      return last ? `Editor says: ${last.text}` : { toolCalls: [{ name: 'research', arguments: { input: 'chips' } }] };
    };
    const fake = await fakeServer(Array.from({ length: 10 }, () => brain));
    const { searchNews, executions } = counted();
    const researcher = new Agent({ name: 'researcher', instructions: 'You research a topic.', model: 'gpt-4o', tools: [searchNews] });
    const editor = durable(
      new Agent({
        name: 'editor',
        instructions: 'You edit.',
        model: 'gpt-4o',
        tools: [researcher.asTool({ toolName: 'research', toolDescription: 'Researches a topic.' })],
      }),
      { runConfig: { modelProvider: providerFor(fake) } },
    );
    const runtime = createRuntime({ store: memoryStore() });
    const flow = runtime.flow('edit', async () => (await editor.run('Cover chips')).finalOutput);
    const first = await flow.run(undefined);
    expect(first).toMatchObject({ status: 'completed', output: 'Editor says: Research: Chip export rules change' });
    const checkpoints = await runtime.executions.checkpoints(first.executionId);
    expect(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint.kind, checkpoint.metadata?.['agent']])).toEqual([
      ['model:1', 'model', 'editor'],
      ['research:call_1', 'tool', 'editor'],
      ['research:call_1/model:1', 'model', 'researcher'],
      ['research:call_1/search_news:call_2', 'tool', 'researcher'],
      ['research:call_1/model:2', 'model', 'researcher'],
      ['model:2', 'model', 'editor'],
    ]);
    const replay = await flow.replay(first.executionId);
    expect(replay).toMatchObject({ status: 'completed', output: first.output });
    expect(fake.requests).toHaveLength(4);
    expect(executions).toEqual(['search_news chips']);
  });
});

describe('approvals inside an agent used as a tool', () => {
  test('the nested tool’s approval is a wait of the run; after the decision the nested run continues and the tool runs once', async () => {
    const brain = (request: FakeRequest) => {
      const instructions = String((request.body as { instructions?: string }).instructions);
      const last = lastToolOutput(request);
      if (instructions.startsWith('You research'))
        return last ? `Research: ${last.text}` : { toolCalls: [{ name: 'paid_search', arguments: { query: 'chips' } }] };
      return last ? `Editor says: ${last.text}` : { toolCalls: [{ name: 'research', arguments: { input: 'chips' } }] };
    };
    const fake = await fakeServer(Array.from({ length: 10 }, () => brain));
    const searches: string[] = [];
    const paidSearch = tool({
      name: 'paid_search',
      description: 'A search that costs money.',
      parameters: z.object({ query: z.string() }),
      needsApproval: true,
      execute: async ({ query }) => {
        searches.push(query);
        return `hits for ${query}`;
      },
    });
    const researcher = new Agent({ name: 'researcher', instructions: 'You research a topic.', model: 'gpt-4o', tools: [paidSearch] });
    const editor = durable(
      new Agent({
        name: 'editor',
        instructions: 'You edit.',
        model: 'gpt-4o',
        tools: [researcher.asTool({ toolName: 'research', toolDescription: 'Researches.' })],
      }),
      { runConfig: { modelProvider: providerFor(fake) } },
    );
    const runtime = createRuntime({ store: memoryStore() });
    const flow = runtime.flow('edit', async () => (await editor.run('Cover chips')).finalOutput);
    const stopped = await flow.run(undefined);
    expect(stopped).toMatchObject({ status: 'waiting', waits: [{ name: 'paid_search', metadata: { agent: 'researcher', tool: 'paid_search' } }] });
    expect(searches).toEqual([]);

    await runtime.executions.input(stopped.executionId, 'paid_search', { approve: true });
    const resumed = await flow.resume(stopped.executionId);
    expect(resumed).toMatchObject({ status: 'completed', output: 'Editor says: Research: hits for chips' });
    expect(searches).toEqual(['chips']);
    // The tool call is invoked again after the approval: a second record for the same call id.
    const ids = (await runtime.executions.checkpoints(stopped.executionId)).map((checkpoint) => checkpoint.id.replace(/call_2/, 'call_N'));
    expect(ids).toContain('research:call_1~2/paid_search:call_N');
    const replay = await flow.replay(stopped.executionId);
    expect(replay).toMatchObject({ status: 'completed', output: resumed.output });
    expect(searches).toEqual(['chips']);
    expect(fake.requests).toHaveLength(4);
  });
});

describe('turn granularity', () => {
  test('each run is one checkpoint with its calls as children, so concurrent runs in one flow stay apart', async () => {
    const brain = (request: FakeRequest) => {
      const last = lastToolOutput(request);
      if (last) return `Found: ${last.text}`;
      const question = (request.body as { input: Array<{ content?: unknown }> }).input[0]!.content;
      return { toolCalls: [{ name: 'search_news', arguments: { topic: String(question) } }] };
    };
    const fake = await fakeServer(Array.from({ length: 10 }, () => brain));
    const { searchNews, executions } = counted();
    const scout = durable(new Agent({ name: 'scout', instructions: 'You find news.', model: 'gpt-4o', tools: [searchNews] }), {
      granularity: 'turn',
      runConfig: { modelProvider: providerFor(fake) },
    });
    const runtime = createRuntime({ store: memoryStore() });
    const flow = runtime.flow('both', async () => {
      const [ai, chips] = await Promise.all([scout.run('ai'), scout.run('chips')]);
      return [ai.finalOutput, chips.finalOutput];
    });
    const first = await flow.run(undefined);
    const found = 'Found: ["Open model beats benchmarks","Chip export rules change"]';
    expect(first).toMatchObject({ status: 'completed', output: [found, found] });
    const checkpoints = await runtime.executions.checkpoints(first.executionId);
    const tree = checkpoints.map((checkpoint) => checkpoint.id.replace(/call_\d+/, 'call_N')).sort();
    expect(tree).toEqual([
      'scout:1',
      'scout:1/model:1',
      'scout:1/model:2',
      'scout:1/search_news:call_N',
      'scout:2',
      'scout:2/model:1',
      'scout:2/model:2',
      'scout:2/search_news:call_N',
    ]);
    expect(checkpoints.find((checkpoint) => checkpoint.id === 'scout:1')!.metadata).toMatchObject({
      agent: 'scout',
      granularity: 'turn',
      usage: expect.any(Object),
    });
    // Each run's children belong to its own question.
    for (const parent of ['scout:1', 'scout:2']) {
      const search = checkpoints.find((checkpoint) => checkpoint.id.startsWith(`${parent}/search_news`))!;
      expect(search.input).toEqual({ topic: parent === 'scout:1' ? 'ai' : 'chips' });
    }
    const replay = await flow.replay(first.executionId);
    expect(replay).toMatchObject({ status: 'completed', output: first.output });
    expect(fake.requests).toHaveLength(4);
    expect(executions.sort()).toEqual(['search_news ai', 'search_news chips']);
  });
});
