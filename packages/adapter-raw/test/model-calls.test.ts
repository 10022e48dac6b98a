import Anthropic from '@anthropic-ai/sdk';
import { createRuntime, DivergenceError, memoryStore, wait, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientUnsupportedError, durableAnthropic } from '@keel/adapter-raw';

let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;

async function setup(script: Parameters<typeof startFakeLLM>[0]['script'], maxRetries = 0) {
  fake = await startFakeLLM({ script });
  runtime = createRuntime({ store: memoryStore() });
  const base = new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries });
  return { fake, runtime, base, client: durableAnthropic(base) };
}

afterEach(async () => {
  await fake?.stop();
  await runtime?.close();
  fake = undefined;
  runtime = undefined;
});

const params = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('model calls as checkpoints', () => {
  it('one HTTP 500 then success, retried by the SDK itself, is one checkpoint', async () => {
    const { fake, runtime, client } = await setup([{ fault: { status: 500, retryAfterMs: 1 } }, 'Recovered.'], 1);
    const agent = runtime.flow('retrying', async () => (await client.messages.create(params)).content);
    const result = await agent.run(undefined);
    expect(result.output).toEqual([{ type: 'text', text: 'Recovered.', citations: null }]);
    expect(fake.requests.map((request) => [request.outcome, request.headers['x-stainless-retry-count']])).toEqual([
      ['failed', '0'],
      ['replied', '1'],
    ]);
    const records = await runtime.executions.checkpoints(result.executionId);
    expect(records.map((record) => [record.id, record.status, record.attempts])).toEqual([['model:1', 'completed', 1]]);

    await agent.replay(result.executionId);
    expect(fake.requests).toHaveLength(2);
  });

  it('the same holds for a stream: a 500 before the first event, then the retry, is one checkpoint', async () => {
    const { fake, runtime, client } = await setup([{ fault: { status: 529, retryAfterMs: 1 } }, 'Streamed after a retry.'], 1);
    const agent = runtime.flow('retrying-stream', async () => client.messages.stream(params).finalText());
    const result = await agent.run(undefined);
    expect(result.output).toBe('Streamed after a retry.');
    expect(fake.requests.map((request) => request.outcome)).toEqual(['failed', 'replied']);
    expect((await runtime.executions.checkpoints(result.executionId)).map((record) => [record.id, record.status])).toEqual([['model:1', 'completed']]);
  });

  it('records carry the model id, token usage, stop reason and the captured request', async () => {
    const { runtime, client } = await setup([{ toolCalls: [{ name: 'lookup', arguments: { id: 7 } }], usage: { inputTokens: 31, outputTokens: 9 } }]);
    const agent = runtime.flow('metadata', async () => {
      const message = await client.messages.create({ ...params, system: 'Be brief.' });
      return [message.stop_reason, message._request_id];
    });
    const result = await agent.run(undefined);
    expect(result.output).toEqual(['tool_use', 'req_1']);
    const [record] = await runtime.executions.checkpoints(result.executionId);
    expect(record!.metadata).toMatchObject({
      provider: 'anthropic',
      model: 'claude-test',
      usage: { inputTokens: 31, outputTokens: 9 },
      stopReason: 'tool_use',
      messageId: 'msg_1',
    });
    expect(record!.input).toEqual({ ...params, system: 'Be brief.' });
    expect(record!.fingerprint).toMatch(/^fp2:/);
  });

  it('an API error the SDK gave up on is replayed on resume as the same error class, without a request', async () => {
    const { fake, runtime, client } = await setup([{ fault: { status: 400, message: 'max_tokens is too large' } }]);
    const agent = runtime.flow('bad-request', async () => {
      let outcome: string;
      try {
        await client.messages.create(params);
        outcome = 'answered';
      } catch (error) {
        outcome = error instanceof Anthropic.BadRequestError ? `BadRequestError ${error.status}: ${error.apiMessage}` : `other: ${String(error)}`;
      }
      // Stops here the first time, so the resume replays the failed call.
      await wait('continue', { schema: z.boolean() });
      return outcome;
    });
    const first = await agent.run(undefined);
    expect(first.status).toBe('waiting');
    await runtime.executions.input(first.executionId, 'continue', true);
    const resumed = await agent.resume(first.executionId);
    expect(resumed).toMatchObject({ status: 'completed', output: 'BadRequestError 400: max_tokens is too large' });
    expect(fake.requests).toHaveLength(1);
  });

  it('a resumed loop that now sends another request fails with a DivergenceError instead of reusing the old answer', async () => {
    const { fake, runtime, client } = await setup(['First answer.', 'unused']);
    let question = 'What is Keel?';
    const agent = runtime.flow('diverging', async () => {
      const message = await client.messages.create({ ...params, messages: [{ role: 'user', content: question }] });
      await wait('continue', { schema: z.boolean() });
      return message.content;
    });
    const first = await agent.run(undefined);
    await runtime.executions.input(first.executionId, 'continue', true);
    question = 'Something else entirely';
    const resumed = await agent.resume(first.executionId);
    expect(resumed.status).toBe('failed');
    expect(DivergenceError.isInstance(resumed.error)).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('parallel model calls are numbered in call order and each replays its own answer', async () => {
    const { fake, runtime, client } = await setup(
      Array(3).fill((request: { body: { messages: { content: string }[] } }) => `echo ${request.body.messages[0]!.content}`),
    );
    const agent = runtime.flow('parallel', async () =>
      Promise.all(
        ['a', 'b', 'c'].map(async (letter) => {
          const message = await client.messages.create({ ...params, messages: [{ role: 'user', content: letter }] });
          return (message.content[0] as { text: string }).text;
        }),
      ),
    );
    const live = await agent.run(undefined);
    expect(live.output).toEqual(['echo a', 'echo b', 'echo c']);
    const replayed = await agent.replay(live.executionId);
    expect(replayed.output).toEqual(live.output);
    expect(fake.requests).toHaveLength(3);
  });

  it('outside a flow the client is the plain SDK client; the wrapped client is left unchanged', async () => {
    const { fake, base, client } = await setup(['one', 'two', 'three']);
    const first = await client.messages.create(params);
    const second = await client.messages.create(params);
    expect([first.content, second.content].map((content) => (content[0] as { text: string }).text)).toEqual(['one', 'two']);
    expect(first._request_id).toBe('req_1');
    expect(base.messages.create).not.toBe(client.messages.create);
    expect(durableAnthropic(client)).toBe(client);
    const copy = client.withOptions({ timeout: 5_000 });
    expect(copy.messages.create).not.toBe(base.messages.create);
    expect(fake.requests).toHaveLength(2);
    expect(() => durableAnthropic({} as never)).toThrow(ClientUnsupportedError);
  });
});
