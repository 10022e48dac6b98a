import Anthropic from '@anthropic-ai/sdk';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { createRuntime, memoryStore, wait, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnthropic, durableTool, ModelStreamFailedError } from '@keel/adapter-raw';

let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;

async function setup(script: Parameters<typeof startFakeLLM>[0]['script'], maxRetries = 0) {
  fake = await startFakeLLM({ script });
  runtime = createRuntime({ store: memoryStore() });
  const client = durableAnthropic(new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries }));
  return { fake, runtime, client };
}

afterEach(async () => {
  await fake?.stop();
  await runtime?.close();
  fake = undefined;
  runtime = undefined;
});

const params = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Tell me about Keel' }] };

describe('streamed model calls', () => {
  it('messages.stream() replays with the same text deltas, events and final message, without a request', async () => {
    const { fake, runtime, client } = await setup([{ text: 'Keel makes agent runs durable.', usage: { inputTokens: 12, outputTokens: 7 } }]);
    const agent = runtime.flow('streamer', async () => {
      const stream = client.messages.stream(params);
      const deltas: string[] = [];
      const events: string[] = [];
      stream.on('text', (delta) => deltas.push(delta));
      stream.on('streamEvent', (event) => events.push(event.type));
      const final = await stream.finalMessage();
      return { deltas, events, final: { ...final }, finalText: await stream.finalText() };
    });
    const live = await agent.run(undefined);
    expect(live.status).toBe('completed');
    expect(live.output!.deltas).toEqual(['Keel ', 'makes ', 'agent ', 'runs ', 'durable.']);
    expect(live.output!.finalText).toBe('Keel makes agent runs durable.');
    expect(fake.requests).toHaveLength(1);

    const replayed = await agent.replay(live.executionId);
    expect(replayed.status).toBe('completed');
    expect(replayed.output).toEqual(live.output);
    expect(fake.requests).toHaveLength(1);

    const [record] = await runtime.executions.checkpoints(live.executionId);
    expect(record).toMatchObject({
      id: 'model:1',
      kind: 'model',
      status: 'completed',
      metadata: { model: 'claude-test', usage: { inputTokens: 12, outputTokens: 7 }, stopReason: 'end_turn' },
    });
    // The record is the whole event stream as the server sent it (pings included), readable in any surface.
    const recorded = (record!.output as { event: string }[]).map((event) => event.event);
    expect(recorded.filter((event) => event !== 'ping')).toEqual(live.output!.events);
    expect(recorded).toContain('ping');
  });

  it('create({ stream: true }) replays the same raw events', async () => {
    const { fake, runtime, client } = await setup([{ text: 'Adding now.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }]);
    const agent = runtime.flow('raw-events', async () => {
      const stream = await client.messages.create({ ...params, stream: true });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    });
    const live = await agent.run(undefined);
    const replayed = await agent.replay(live.executionId);
    expect(live.output).toHaveLength(11);
    expect(replayed.output).toEqual(live.output);
    expect(fake.requests).toHaveLength(1);
  });

  it('the streaming tool runner replays its turns and does not run its tools again', async () => {
    let runs = 0;
    const add = durableTool(
      betaZodTool({
        name: 'add',
        description: 'Adds two numbers',
        inputSchema: z.object({ a: z.number(), b: z.number() }),
        run: ({ a, b }) => {
          runs++;
          return String(a + b);
        },
      }),
    );
    const { fake, runtime, client } = await setup([
      { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
      (request) => `The sum is ${request.body.messages.at(-1).content[0].content}`,
    ]);
    const agent = runtime.flow('runner', async () => {
      const texts: string[] = [];
      const runner = client.beta.messages.toolRunner({ ...params, tools: [add], stream: true });
      for await (const stream of runner) stream.on('text', (text) => texts.push(text));
      return { texts, final: (await runner.done()).content };
    });
    const live = await agent.run(undefined);
    expect(live.output!.texts.join('')).toBe('The sum is 5');
    const replayed = await agent.replay(live.executionId);
    expect(replayed.output).toEqual(live.output);
    expect(runs).toBe(1);
    expect(fake.requests).toHaveLength(2);
    expect((await runtime.executions.checkpoints(live.executionId)).map((record) => record.id)).toEqual(['model:1', 'add:toolu_1', 'model:2']);
  });

  it('a stream cut short is not recorded as an answer: retry calls the model again', async () => {
    const { fake, runtime, client } = await setup([{ text: 'this answer is cut short by the server', fault: { drop: true } }, 'A whole answer.']);
    const agent = runtime.flow('dropped', async () => client.messages.stream(params).finalText());
    const failed = await agent.run(undefined);
    expect(failed.status).toBe('failed');
    const [record] = await runtime.executions.checkpoints(failed.executionId);
    expect(record).toMatchObject({ id: 'model:1', status: 'failed' });

    const retried = await agent.retry(failed.executionId);
    expect(retried).toMatchObject({ status: 'completed', output: 'A whole answer.' });
    expect(fake.requests.map((request) => request.outcome)).toEqual(['dropped', 'replied']);
  });

  it('a stream the caller aborts is recorded as failed and replays as the same APIUserAbortError, without a request', async () => {
    const { fake, runtime, client } = await setup(['one two three four five six seven eight']);
    const agent = runtime.flow('aborting', async () => {
      const stream = client.messages.stream(params);
      let deltas = 0;
      stream.on('text', () => {
        if (++deltas === 2) stream.abort();
      });
      let outcome: string;
      try {
        outcome = await stream.finalText();
      } catch (error) {
        outcome = error instanceof Anthropic.APIUserAbortError ? 'APIUserAbortError' : String(error);
      }
      await wait('continue', { schema: z.boolean() });
      return outcome;
    });
    const first = await agent.run(undefined);
    expect((await runtime.executions.checkpoints(first.executionId)).map((record) => [record.id, record.status])).toEqual([
      ['model:1', 'failed'],
      ['continue:1', 'waiting'],
    ]);
    await runtime.executions.input(first.executionId, 'continue', true);
    const resumed = await agent.resume(first.executionId);
    expect(resumed).toMatchObject({ status: 'completed', output: 'APIUserAbortError' });
    expect(fake.requests).toHaveLength(1);
  });

  it('a stream that ends without message_stop fails with ModelStreamFailedError', async () => {
    const { runtime } = await setup([]);
    // A server that closes the stream cleanly in the middle of the message.
    const truncated = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://127.0.0.1:9',
      maxRetries: 0,
      fetch: async () =>
        new Response(
          'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    });
    const client = durableAnthropic(truncated);
    const agent = runtime.flow('truncated', async () => {
      const stream = await client.messages.create({ ...params, stream: true });
      for await (const _event of stream) {
        // read to the end
      }
      return 'read';
    });
    const result = await agent.run(undefined);
    expect(result.status).toBe('failed');
    expect(ModelStreamFailedError.isInstance(result.error)).toBe(true);
  });
});
