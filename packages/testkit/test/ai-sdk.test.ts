import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, isStepCount, streamText, tool } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { startFakeLLM, type FakeLLM, type FakeScriptEntry } from '@keel/testkit';

// `ai` v7 with `@ai-sdk/openai`, pointed at the fake with `createOpenAI({ baseURL: fake.url })`:
// `provider(model)` uses the Responses API, `provider.chat(model)` Chat Completions.
// `@ai-sdk/anthropic` takes the same `fake.url` (its default base URL ends in /v1, unlike @anthropic-ai/sdk's).

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(script: FakeScriptEntry[]) {
  fake = await startFakeLLM({ script });
  const provider = createOpenAI({ baseURL: fake.url, apiKey: 'test' });
  return { fake, provider };
}

function weatherTool(calls: string[]) {
  return tool({
    description: 'Weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return { city, forecast: 'sunny' };
    },
  });
}

// The model's second turn reads the tool output the harness sent back.
const answerFromToolOutput: FakeScriptEntry = (request) => {
  const items: Array<Record<string, any>> = request.body['input'] ?? request.body['messages'];
  const last = items.at(-1)!;
  return `Forecast: ${String(last['output'] ?? last['content'])}`;
};

describe('ai + @ai-sdk/openai (Responses)', () => {
  it('generateText runs a tool loop and sums usage across steps', async () => {
    const { fake, provider } = await start([
      { toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }], usage: { inputTokens: 50, outputTokens: 10 } },
      { text: 'It is sunny in Paris.', usage: { inputTokens: 80, outputTokens: 6 } },
    ]);
    const calls: string[] = [];
    const result = await generateText({
      model: provider('gpt-test'),
      prompt: 'Weather in Paris?',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(calls).toEqual(['Paris']);
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } });
    expect(result.usage).toMatchObject({ inputTokens: 130, outputTokens: 16 });
    expect(fake.requests.map((request) => request.api)).toEqual(['openai-responses', 'openai-responses']);
    const toolOutput = fake.requests[1]?.body['input'].find((item: { type?: string }) => item.type === 'function_call_output');
    expect(toolOutput).toMatchObject({ call_id: 'call_1' });
  });

  it('streamText streams deltas and tool calls', async () => {
    const { provider } = await start([{ toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] }, answerFromToolOutput]);
    const calls: string[] = [];
    const result = streamText({
      model: provider('gpt-test'),
      prompt: 'Weather in Rome?',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(calls).toEqual(['Rome']);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(await result.text);
    expect(await result.text).toContain('"forecast":"sunny"');
  });

  it('retries a 500 through ai’s own retry and gets the next turn', async () => {
    const { fake, provider } = await start([{ fault: { status: 500, retryAfterMs: 0 } }, 'Second time lucky']);
    const result = await generateText({ model: provider('gpt-test'), prompt: 'Hi', maxRetries: 1 });
    expect(result.text).toBe('Second time lucky');
    expect(fake.requests.map((request) => request.outcome)).toEqual(['failed', 'replied']);
  });

  it('surfaces a 429 as a retryable APICallError with maxRetries 0', async () => {
    const { provider } = await start([{ fault: { status: 429 } }]);
    const error = await generateText({ model: provider('gpt-test'), prompt: 'Hi', maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 429, isRetryable: true });
  });

  it('surfaces a dropped stream as an error while iterating', async () => {
    const { provider } = await start([{ text: 'this stream will be cut short', fault: { drop: true, afterEvents: 5 } }]);
    const result = streamText({ model: provider('gpt-test'), prompt: 'Hi', maxRetries: 0, onError: () => {} });
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const delta of result.textStream) deltas.push(delta);
    })().catch((caught: unknown) => caught);
    // created, in_progress, item added, part added, then one delta.
    expect(deltas).toEqual(['this ']);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(String((error as Error).cause)).toMatch(/terminated/);
  });
});

describe('ai + @ai-sdk/openai (Chat Completions)', () => {
  it('generateText runs a tool loop over Chat Completions', async () => {
    const { fake, provider } = await start([{ toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] }, answerFromToolOutput]);
    const calls: string[] = [];
    const result = await generateText({
      model: provider.chat('gpt-test'),
      prompt: 'Weather in Oslo?',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    expect(calls).toEqual(['Oslo']);
    expect(result.text).toContain('"city":"Oslo"');
    expect(fake.requests.map((request) => request.api)).toEqual(['openai-chat', 'openai-chat']);
    expect(fake.requests[1]?.body['messages'].at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
  });

  it('streamText reports usage from the final usage chunk', async () => {
    const { fake, provider } = await start([{ text: 'Streaming over chat', usage: { inputTokens: 11, outputTokens: 3 } }]);
    const result = streamText({ model: provider.chat('gpt-test'), prompt: 'Hi', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['Streaming ', 'over ', 'chat']);
    expect(await result.usage).toMatchObject({ inputTokens: 11, outputTokens: 3 });
    expect(fake.requests[0]?.body['stream_options']).toEqual({ include_usage: true });
  });
});

describe('ai + @ai-sdk/anthropic', () => {
  it('generateText and streamText run a tool loop over Anthropic Messages', async () => {
    fake = await startFakeLLM({
      script: [
        { text: 'Checking.', toolCalls: [{ name: 'weather', arguments: { city: 'Vienna' } }], usage: { inputTokens: 21, outputTokens: 4 } },
        (request) => `Report: ${JSON.stringify(request.body['messages'].at(-1).content[0].content)}`,
        { toolCalls: [{ name: 'weather', arguments: { city: 'Graz' } }] },
        'Streamed report',
      ],
    });
    const anthropic = createAnthropic({ baseURL: fake.url, apiKey: 'test' });
    const calls: string[] = [];
    const generated = await generateText({
      model: anthropic('claude-test'),
      maxOutputTokens: 100,
      prompt: 'Weather in Vienna?',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    expect(generated.steps[0]?.toolCalls[0]).toMatchObject({ toolCallId: 'toolu_1', input: { city: 'Vienna' } });
    expect(generated.text).toContain('Vienna');
    expect(generated.steps[0]?.usage).toMatchObject({ inputTokens: 21, outputTokens: 4 });

    const streamed = streamText({
      model: anthropic('claude-test'),
      maxOutputTokens: 100,
      prompt: 'Weather in Graz?',
      tools: { weather: weatherTool(calls) },
      stopWhen: isStepCount(3),
      maxRetries: 0,
    });
    const deltas: string[] = [];
    for await (const delta of streamed.textStream) deltas.push(delta);
    expect(deltas).toEqual(['Streamed ', 'report']);
    expect(calls).toEqual(['Vienna', 'Graz']);
    expect(fake.requests.map((request) => [request.api, request.stream])).toEqual([
      ['anthropic-messages', false],
      ['anthropic-messages', false],
      ['anthropic-messages', true],
      ['anthropic-messages', true],
    ]);
  });
});
