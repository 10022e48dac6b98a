import { createOpenAI } from '@ai-sdk/openai';
import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { durable } from '../src/index.js';
import { newsScript } from './support/news-script.js';
import { ai7Sdk as sdk, newsTools } from './support/sdk-under-test.js';

const fakes: FakeLLM[] = [];

afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.stop();
});

/** A recorded run of the news agent on gpt-4o (fake server `recorded`), and a second fake server for the swap. */
async function recordedRun() {
  const recorded = await startFakeLLM({ script: newsScript() });
  const swapped = await startFakeLLM({ script: newsScript() });
  fakes.push(recorded, swapped);
  const calls: string[] = [];
  const runtime = createRuntime({ store: memoryStore() });
  const agent = durable(
    new sdk.ToolLoopAgent({ id: 'news-scout', model: sdk.model(recorded.url), tools: newsTools(sdk, calls), instructions: 'Be thorough.' }),
  );
  runtime.flow('scout', async (text: string) => (await agent.generate({ prompt: text })).text as string);
  await runtime.run('scout', 'Find the most important AI news');
  expect(recorded.requests).toHaveLength(4);
  expect(calls).toHaveLength(4);
  return { runtime, recorded, swapped, calls, mini: createOpenAI({ baseURL: swapped.url, apiKey: 'test' }).chat('gpt-4o-mini') };
}

describe('durable(agent) in an experiment', () => {
  it('calls the swapped model with the replaced instructions, and answers every tool from the records', async () => {
    const { runtime, recorded, swapped, calls, mini } = await recordedRun();
    const report = await runtime.experiment('mini', { cohort: { flow: 'scout' }, change: { models: { 'gpt-4o': mini }, instructions: 'Be terse.' } }).run();

    expect(recorded.requests).toHaveLength(4); // Not one request to the recorded model.
    expect(swapped.requests).toHaveLength(4);
    for (const request of swapped.requests) {
      expect(request.body.model).toBe('gpt-4o-mini');
      expect((request.body.messages as { role: string; content: unknown }[]).filter((message) => message.role === 'system')).toEqual([
        { role: 'system', content: 'Be terse.' },
      ]);
    }
    expect(calls).toHaveLength(4); // Not one tool ran again.
    expect(report.aggregate).toMatchObject({ completed: 1, tools: { recorded: 4, live: 0, missed: 0 } });
    expect(report.members[0]!.comparison!.replay.models).toEqual(['gpt-4o-mini']);
  });

  it('runs a replaced tool implementation instead of the tool', async () => {
    const { runtime, calls, mini } = await recordedRun();
    const replaced: string[] = [];
    const readPage = (input: unknown) => {
      replaced.push((input as { url: string }).url);
      return `cached copy of ${(input as { url: string }).url}`;
    };
    const report = await runtime.experiment('cached-pages', { cohort: { flow: 'scout' }, change: { models: { 'gpt-4o': mini }, tools: { readPage } } }).run();
    expect(replaced.sort()).toEqual(['https://news.example/1', 'https://news.example/2']);
    expect(calls).toHaveLength(4);
    expect(report.aggregate.tools).toMatchObject({ replaced: 2, recorded: 2, live: 0 });
  });
});
