import Anthropic from '@anthropic-ai/sdk';
import type { ClientOptions } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';

import { startFakeLLM, type FakeLLM, type FakeScriptEntry } from '@keel/testkit';

// The official `@anthropic-ai/sdk` client, unchanged, pointed at the fake with `baseURL: fake.origin`
// (the SDK appends `/v1/messages` itself).

const addTool: Anthropic.Tool = {
  name: 'add',
  description: 'Add two numbers',
  input_schema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
};

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(script: FakeScriptEntry[], clientOptions: ClientOptions = {}) {
  fake = await startFakeLLM({ script });
  const client = new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries: 0, ...clientOptions });
  return { fake, client };
}

describe('Anthropic Messages', () => {
  it('returns scripted text with the configured usage', async () => {
    const { fake, client } = await start([
      { text: 'Hello from the fake', usage: { inputTokens: 30, outputTokens: 5, cachedInputTokens: 8, cacheWriteTokens: 3 } },
    ]);
    const message = await client.messages.create({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake', citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('claude-test');
    expect(message.usage).toMatchObject({ input_tokens: 30, output_tokens: 5, cache_read_input_tokens: 8, cache_creation_input_tokens: 3 });
    expect(fake.requests[0]).toMatchObject({ api: 'anthropic-messages', path: '/v1/messages', stream: false, outcome: 'replied' });
    expect(fake.requests[0]?.headers['anthropic-version']).toBeDefined();
  });

  it('runs a tool loop: tool_use blocks with generated ids, then the answer to the tool_result', async () => {
    const { fake, client } = await start([
      { text: 'Let me add.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
      (request) => {
        const result = request.body['messages'].at(-1).content[0];
        return `The sum is ${result.content} (for ${result.tool_use_id})`;
      },
    ]);
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is 2 + 3?' }];
    let toolRuns = 0;
    let final: Anthropic.Message | undefined;
    while (final === undefined) {
      const message = await client.messages.create({ model: 'claude-test', max_tokens: 100, messages, tools: [addTool] });
      messages.push({ role: 'assistant', content: message.content });
      if (message.stop_reason !== 'tool_use') {
        final = message;
        break;
      }
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of message.content) {
        if (block.type !== 'tool_use') continue;
        const { a, b } = block.input as { a: number; b: number };
        toolRuns += 1;
        results.push({ type: 'tool_result', tool_use_id: block.id, content: String(a + b) });
      }
      messages.push({ role: 'user', content: results });
    }
    expect(toolRuns).toBe(1);
    expect(messages[1]?.content).toEqual([
      { type: 'text', text: 'Let me add.', citations: null },
      { type: 'tool_use', id: 'toolu_1', name: 'add', input: { a: 2, b: 3 } },
    ]);
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'The sum is 5 (for toolu_1)' });
    expect(fake.requests).toHaveLength(2);
  });

  it('streams text and tool_use through the MessageStream helper', async () => {
    const { client } = await start([
      { text: 'Adding these now', toolCalls: [{ name: 'add', arguments: { a: 10, b: 32 }, id: 'toolu_custom' }], usage: { inputTokens: 9, outputTokens: 7 } },
    ]);
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'Add' }], tools: [addTool] });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    expect(deltas).toEqual(['Adding ', 'these ', 'now']);
    expect(final.content).toEqual([
      { type: 'text', text: 'Adding these now', citations: null },
      { type: 'tool_use', id: 'toolu_custom', name: 'add', input: { a: 10, b: 32 } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 7 });
  });

  it('streams the raw event sequence with create({ stream: true })', async () => {
    const { client } = await start([{ text: 'Hi there', toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] }]);
    const stream = await client.messages.create({ model: 'claude-test', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const types: string[] = [];
    let partialJson = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') partialJson += event.delta.partial_json;
    }
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((type) => type === 'content_block_start')).toHaveLength(2);
    expect(types.filter((type) => type === 'content_block_stop')).toHaveLength(2);
    expect(JSON.parse(partialJson)).toEqual({ a: 1, b: 2 });
  });
});

describe('Anthropic faults', () => {
  it('surfaces 429 as RateLimitError with the Anthropic error body, maxRetries 0', async () => {
    const { fake, client } = await start([{ fault: { status: 429 } }]);
    const error = await client.messages
      .create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' }, request_id: 'req_1' });
    expect(apiError.requestID).toBe('req_1');
    expect(fake.requests[0]).toMatchObject({ outcome: 'failed', status: 429 });
  });

  it('surfaces 500 as InternalServerError with maxRetries 0', async () => {
    const { client } = await start([{ fault: { status: 500 } }]);
    await expect(client.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
  });

  it('answers the retry after a 500 with maxRetries 1', async () => {
    const { fake, client } = await start([{ fault: { status: 500, retryAfterMs: 1 } }, 'Recovered'], { maxRetries: 1 });
    const message = await client.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content[0]).toMatchObject({ text: 'Recovered' });
    expect(fake.requests.map((request) => [request.outcome, request.headers['x-stainless-retry-count']])).toEqual([
      ['failed', '0'],
      ['replied', '1'],
    ]);
  });

  it('answers the streamed retry after a 529 overloaded with maxRetries 1', async () => {
    const { fake, client } = await start([{ fault: { status: 529, retryAfterMs: 1 } }, 'Streamed after retry'], { maxRetries: 1 });
    const final = await client.messages.stream({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'Streamed after retry' });
    expect(fake.requests.map((request) => request.status)).toEqual([529, 200]);
  });

  it('surfaces a hang as a client timeout', async () => {
    const { fake, client } = await start([{ fault: { hang: true } }], { timeout: 200 });
    const error = await client.messages
      .create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('stalls mid-stream until the client aborts', async () => {
    const { fake, client } = await start([{ text: 'first words then silence', fault: { hang: true, afterEvents: 4 } }]);
    const controller = new AbortController();
    const stream = await client.messages.create(
      { model: 'claude-test', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      { signal: controller.signal },
    );
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      // The server sent message_start, ping (which the SDK skips), content_block_start and one delta.
      if (event.type === 'content_block_delta') controller.abort();
    }
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(fake.requests[0]?.outcome).toBe('hung');
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('surfaces a dropped stream as an error while iterating', async () => {
    const { fake, client } = await start([{ text: 'one two three four', fault: { drop: true } }]);
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/terminated/);
    // Default cut: half of the 11 events (message_start, ping, block start, 4 deltas, …) = 5.
    expect(deltas).toEqual(['one ', 'two ']);
    expect(fake.requests[0]?.outcome).toBe('dropped');
  });

  it('rejects a non-object tool input for Anthropic with a clear error', async () => {
    const { fake, client } = await start([{ toolCalls: [{ name: 'add', arguments: 'not json' }] }]);
    const error = await client.messages
      .create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('toolCalls[0].arguments must be a JSON object');
    expect(fake.requests[0]?.outcome).toBe('rejected');
  });

  it('reports an exhausted script in the Anthropic error format', async () => {
    const { fake, client } = await start([]);
    const error = await client.messages
      .create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Anyone?' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(apiError.message).toContain('fake LLM script exhausted after 0 requests');
    expect(fake.requests[0]?.scriptError).toContain('POST /v1/messages (anthropic-messages, model "claude-test"); last message: user: "Anyone?"');
  });
});
