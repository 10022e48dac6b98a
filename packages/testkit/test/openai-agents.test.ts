import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { startFakeLLM, type FakeLLM, type FakeScriptEntry } from '@keel/testkit';

// `@openai/agents` with its OpenAI provider over an `openai` client pointed at the fake:
// `new OpenAIProvider({ openAIClient: new OpenAI({ baseURL: fake.url, apiKey: 'test' }) })`.
// Responses API by default; `useResponses: false` for Chat Completions.

beforeAll(() => {
  // Tracing would try to export spans to api.openai.com.
  setTracingDisabled(true);
});

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(script: FakeScriptEntry[], options: { useResponses?: boolean; maxRetries?: number } = {}) {
  fake = await startFakeLLM({ script });
  const openAIClient = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: options.maxRetries ?? 0 });
  const runner = new Runner({ modelProvider: new OpenAIProvider({ openAIClient, useResponses: options.useResponses ?? true }) });
  return { fake, runner };
}

function weatherAgent(calls: Array<{ city: string; callId: string | undefined }>) {
  const weather = tool({
    name: 'weather',
    description: 'Weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }, _context, details) => {
      calls.push({ city, callId: details?.toolCall?.callId });
      return `sunny in ${city}`;
    },
  });
  return new Agent({ name: 'Forecaster', instructions: 'Answer about the weather.', model: 'gpt-test', tools: [weather] });
}

// Second model turn: read the tool output the runner sent back.
const answerFromToolOutput: FakeScriptEntry = (request) => {
  const items: Array<Record<string, any>> = request.body['input'] ?? request.body['messages'];
  const last = items.at(-1)!;
  return `Report: ${String(last['output'] ?? last['content'])}`;
};

describe('@openai/agents over the Responses API', () => {
  it('runs an agent with a tool call and counts usage', async () => {
    const { fake, runner } = await start([
      { toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }], usage: { inputTokens: 40, outputTokens: 8 } },
      answerFromToolOutput,
    ]);
    const calls: Array<{ city: string; callId: string | undefined }> = [];
    const result = await runner.run(weatherAgent(calls), 'Weather in Paris?');

    expect(result.finalOutput).toBe('Report: sunny in Paris');
    expect(calls).toEqual([{ city: 'Paris', callId: 'call_1' }]);
    expect(fake.requests.map((request) => request.api)).toEqual(['openai-responses', 'openai-responses']);
    expect(fake.requests[0]?.body['instructions']).toBe('Answer about the weather.');
    expect(result.runContext.usage.requests).toBe(2);
    expect(result.runContext.usage.inputTokens).toBe(40 + Math.ceil(Buffer.byteLength(fake.requests[1]!.rawBody) / 4));
  });

  it('streams an agent run', async () => {
    const { runner } = await start([{ toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] }, answerFromToolOutput]);
    const calls: Array<{ city: string; callId: string | undefined }> = [];
    const result = await runner.run(weatherAgent(calls), 'Weather in Rome?', { stream: true });
    const deltas: string[] = [];
    for await (const delta of result.toTextStream()) deltas.push(delta);
    await result.completed;
    expect(calls).toEqual([{ city: 'Rome', callId: 'call_1' }]);
    expect(deltas).toEqual(['Report: ', 'sunny ', 'in ', 'Rome']);
    expect(result.finalOutput).toBe('Report: sunny in Rome');
  });

  it('recovers from a 500 through the openai client retry', async () => {
    const { fake, runner } = await start([{ fault: { status: 500, retryAfterMs: 0 } }, 'All good'], { maxRetries: 1 });
    const result = await runner.run(new Agent({ name: 'Plain', model: 'gpt-test' }), 'Hi');
    expect(result.finalOutput).toBe('All good');
    expect(fake.requests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('surfaces a 429 with maxRetries 0 as the openai RateLimitError', async () => {
    const { runner } = await start([{ fault: { status: 429 } }]);
    await expect(runner.run(new Agent({ name: 'Plain', model: 'gpt-test' }), 'Hi')).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('@openai/agents over Chat Completions', () => {
  it('runs an agent with a tool call', async () => {
    const { fake, runner } = await start([{ toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] }, answerFromToolOutput], {
      useResponses: false,
    });
    const calls: Array<{ city: string; callId: string | undefined }> = [];
    const result = await runner.run(weatherAgent(calls), 'Weather in Oslo?');
    expect(result.finalOutput).toBe('Report: sunny in Oslo');
    expect(calls).toEqual([{ city: 'Oslo', callId: 'call_1' }]);
    expect(fake.requests.map((request) => request.api)).toEqual(['openai-chat', 'openai-chat']);
  });

  it('streams an agent run', async () => {
    const { runner } = await start([{ toolCalls: [{ name: 'weather', arguments: { city: 'Bern' } }] }, answerFromToolOutput], {
      useResponses: false,
    });
    const calls: Array<{ city: string; callId: string | undefined }> = [];
    const result = await runner.run(weatherAgent(calls), 'Weather in Bern?', { stream: true });
    const deltas: string[] = [];
    for await (const delta of result.toTextStream()) deltas.push(delta);
    await result.completed;
    expect(calls).toEqual([{ city: 'Bern', callId: 'call_1' }]);
    expect(deltas.join('')).toBe('Report: sunny in Bern');
    expect(deltas.length).toBeGreaterThan(1);
  });
});
