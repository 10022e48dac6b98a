import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';

import { startFakeLLM, type FakeLLM, type FakeScriptEntry } from '@keel/testkit';

// The official `openai` client, unchanged, pointed at the fake with `baseURL: fake.url`.

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(script: FakeScriptEntry[], clientOptions: ConstructorParameters<typeof OpenAI>[0] = {}) {
  fake = await startFakeLLM({ script });
  const client = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0, ...clientOptions });
  return { fake, client };
}

describe('openai Chat Completions', () => {
  it('returns scripted text with the configured usage', async () => {
    const { fake, client } = await start([{ text: 'Hello from the fake', usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 2 } }]);
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(completion.choices[0]?.message.content).toBe('Hello from the fake');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.model).toBe('gpt-test');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 2 } });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ api: 'openai-chat', path: '/v1/chat/completions', stream: false, turn: 0, outcome: 'replied' });
    expect(fake.requests[0]?.body['messages']).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('returns tool calls with generated ids, then answers the tool result', async () => {
    const { fake, client } = await start([
      {
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Paris' } },
          { name: 'get_weather', arguments: { city: 'Rome' } },
        ],
      },
      (request) => `It is sunny in ${request.body['messages'].at(-1).content}`,
    ]);
    const first = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
      tools: [weatherTool],
    });
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.content).toBeNull();
    expect(message?.tool_calls?.map((call) => call.type === 'function' && [call.id, call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['call_1', 'get_weather', { city: 'Paris' }],
      ['call_2', 'get_weather', { city: 'Rome' }],
    ]);

    const second = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: message!.tool_calls! },
        { role: 'tool', tool_call_id: 'call_1', content: 'Paris' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('It is sunny in Paris');
    expect(fake.requests.map((request) => request.turn)).toEqual([0, 1]);
  });

  it('streams text deltas and a final usage chunk', async () => {
    const { client } = await start([{ text: 'One two three', usage: { inputTokens: 7, outputTokens: 3 } }]);
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(['One ', 'two ', 'three']);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('streams tool calls that the client helper reassembles', async () => {
    const { client } = await start([{ text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Lisbon, Portugal' }, id: 'call_custom' }] }]);
    const stream = client.chat.completions.stream({ model: 'gpt-test', messages: [{ role: 'user', content: 'Lisbon?' }], tools: [weatherTool] });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(message?.content).toBe('Checking.');
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const call = message?.tool_calls?.[0];
    expect(call?.type === 'function' && [call.id, call.function.name, JSON.parse(call.function.arguments)]).toEqual([
      'call_custom',
      'get_weather',
      { city: 'Lisbon, Portugal' },
    ]);
  });
});

describe('openai Responses', () => {
  it('returns text and function calls', async () => {
    const { fake, client } = await start([
      { text: 'Plain answer', usage: { inputTokens: 20, outputTokens: 2, reasoningTokens: 1 } },
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] },
    ]);
    const answer = await client.responses.create({ model: 'gpt-test', input: 'Hi', instructions: 'Be brief' });
    expect(answer.output_text).toBe('Plain answer');
    expect(answer.status).toBe('completed');
    expect(answer.instructions).toBe('Be brief');
    expect(answer.usage).toMatchObject({ input_tokens: 20, output_tokens: 2, total_tokens: 22, output_tokens_details: { reasoning_tokens: 1 } });

    const call = await client.responses.create({
      model: 'gpt-test',
      input: 'Weather in Oslo?',
      tools: [{ type: 'function', name: 'get_weather', parameters: weatherTool.function.parameters, strict: false }],
    });
    expect(call.output).toEqual([expect.objectContaining({ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' })]);
    expect(fake.requests.map((request) => request.api)).toEqual(['openai-responses', 'openai-responses']);
  });

  it('streams the Responses event sequence', async () => {
    const { client } = await start([{ text: 'Streamed words', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] }]);
    const stream = client.responses.stream({ model: 'gpt-test', input: 'Hi' });
    const types: string[] = [];
    const deltas: string[] = [];
    const argumentPieces: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas.push(event.delta);
      if (event.type === 'response.function_call_arguments.delta') argumentPieces.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.output_item.added');
    expect(types).toContain('response.function_call_arguments.done');
    expect(deltas).toEqual(['Streamed ', 'words']);
    expect(argumentPieces.join('')).toBe('{"city":"Oslo"}');
    expect(argumentPieces.length).toBeGreaterThan(1);
    expect(final.output_text).toBe('Streamed words');
    expect(final.output[1]).toMatchObject({ type: 'function_call', call_id: 'call_1', arguments: '{"city":"Oslo"}' });
  });
});

describe('openai faults', () => {
  it('surfaces 429 as RateLimitError with maxRetries 0', async () => {
    const { fake, client } = await start([{ fault: { status: 429 } }]);
    const error = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    expect(fake.requests[0]).toMatchObject({ outcome: 'failed', status: 429 });
  });

  it('surfaces 500 as InternalServerError with maxRetries 0', async () => {
    const { client } = await start([{ fault: { status: 500, message: 'boom' } }]);
    const error = await client.responses.create({ model: 'gpt-test', input: 'Hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain('boom');
  });

  it('answers the retry after a 500 with maxRetries 1', async () => {
    const { fake, client } = await start([{ fault: { status: 500, retryAfterMs: 0 } }, 'Recovered'], { maxRetries: 1 });
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Recovered');
    expect(fake.requests.map((request) => [request.outcome, request.headers['x-stainless-retry-count']])).toEqual([
      ['failed', '0'],
      ['replied', '1'],
    ]);
  });

  it('answers the retry after a 429 with maxRetries 1 (Responses)', async () => {
    const { fake, client } = await start([{ fault: { status: 429, retryAfterMs: 0 } }, 'Recovered'], { maxRetries: 1 });
    const response = await client.responses.create({ model: 'gpt-test', input: 'Hi' });
    expect(response.output_text).toBe('Recovered');
    expect(fake.requests).toHaveLength(2);
  });

  it('surfaces a hang as a client timeout', async () => {
    const { fake, client } = await start([{ fault: { hang: true } }], { timeout: 200 });
    const error = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(fake.requests[0]).toMatchObject({ outcome: 'hung', status: null });
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('surfaces a dropped stream as an error while iterating, after the first deltas', async () => {
    const { fake, client } = await start([{ text: 'one two three four five six', fault: { drop: true, afterEvents: 3 } }]);
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/terminated/);
    // Event 1 is the role chunk, events 2 and 3 the first two words.
    expect(deltas).toEqual(['', 'one ', 'two ']);
    expect(fake.requests[0]).toMatchObject({ outcome: 'dropped', aborted: false });
  });

  it('surfaces a dropped non-streaming body as an error', async () => {
    const { client } = await start([{ text: 'a complete answer that never arrives', fault: { drop: true } }]);
    await expect(client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toThrow(/terminated/);
  });

  it('delays a reply: a short delay still answers, a long one outlasts the client timeout', async () => {
    const { fake, client } = await start(
      [
        { text: 'Late', delayMs: 20 },
        { text: 'Never seen', delayMs: 60_000 },
      ],
      { timeout: 200 },
    );
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Late');
    const error = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect.poll(() => fake.requests[1]?.aborted).toBe(true);
    expect(fake.requests.map((request) => request.outcome)).toEqual(['replied', 'pending']);
  });

  it('reports an exhausted script as a BadRequestError that is not retried', async () => {
    const { fake, client } = await start(['only one'], { maxRetries: 2 });
    await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'first' }] });
    const error = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'second' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('fake LLM script exhausted after 1 requests');
    expect((error as Error).message).toContain('last message: user: "second"');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.scriptError).toContain('fake LLM script exhausted after 1 requests');
  });
});
