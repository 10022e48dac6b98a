import { createRuntime, DivergenceError, memoryStore, priceTable, type CheckpointInfo } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeLLMOptions } from '@keel/testkit';
import { Agent, tool, Usage } from '@openai/agents';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { currentToolCall, durable, type DurableAgentOptions } from '@keel/adapter-openai-agents';
import { providerFor } from './fake-provider.js';
import { lastToolOutput } from './news-brain.js';

const fakes: FakeLLM[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
});

async function fakeServer(script: FakeLLMOptions['script']): Promise<FakeLLM> {
  const fake = await startFakeLLM({ script });
  fakes.push(fake);
  return fake;
}

/** A calculator agent whose `add` tool counts its real executions. */
function calculator(fake: FakeLLM, options: DurableAgentOptions = {}, instructions = 'You add numbers.') {
  const executions: string[] = [];
  const add = tool({
    name: 'add',
    description: 'Adds two numbers.',
    parameters: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => {
      executions.push(`add ${a} ${b} ${currentToolCall()?.idempotencyKey ?? 'no key'}`);
      return String(a + b);
    },
  });
  const agent = new Agent({ name: 'calculator', instructions, model: 'gpt-4o', tools: [add] });
  return { agent: durable(agent, { ...options, runConfig: { modelProvider: providerFor(fake), ...options.runConfig } }), executions };
}

const addThenAnswer: FakeLLMOptions['script'] = [
  { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 31, outputTokens: 7 } },
  (request) => ({ text: `The sum is ${lastToolOutput(request)!.text}`, usage: { inputTokens: 52, outputTokens: 5 } }),
];

function byId(checkpoints: CheckpointInfo[]): Record<string, CheckpointInfo> {
  return Object.fromEntries(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint]));
}

describe('inside a flow', () => {
  test('each model request and tool call is a checkpoint with model id and token usage; a replay makes no call and revives Usage', async () => {
    const fake = await fakeServer(addThenAnswer);
    const { agent, executions } = calculator(fake);
    const runtime = createRuntime({ store: memoryStore() });
    const sums = runtime.flow('sums', async (question: string) => {
      const result = await agent.run(question);
      return { output: result.finalOutput, usageIsClass: result.rawResponses.every((response) => response.usage instanceof Usage) };
    });

    const first = await sums.run('What is 2 + 3?');
    expect(first).toMatchObject({ status: 'completed', output: { output: 'The sum is 5', usageIsClass: true } });
    const checkpoints = await runtime.executions.checkpoints(first.executionId);
    expect(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint.kind])).toEqual([
      ['model:1', 'model'],
      ['add:call_1', 'tool'],
      ['model:2', 'model'],
    ]);
    const records = byId(checkpoints);
    // Core adds the cost at list price (gpt-4o: $2.50 and $10 per million input and output tokens).
    expect(records['model:1']!.metadata).toEqual({
      agent: 'calculator',
      model: 'gpt-4o',
      usage: { inputTokens: 31, outputTokens: 7 },
      cost: { usd: expect.closeTo((31 * 2.5 + 7 * 10) / 1e6, 12), pricedAs: 'openai/gpt-4o', prices: priceTable },
    });
    expect(records['model:2']!.metadata).toMatchObject({ usage: { inputTokens: 52, outputTokens: 5 } });
    expect(records['model:1']!.fingerprint).toMatch(/^fp2:/);
    expect(records['model:1']!.fingerprint).not.toBe(records['model:2']!.fingerprint);
    expect(records['add:call_1']!.metadata).toEqual({ callId: 'call_1', agent: 'calculator' });
    expect(records['add:call_1']!.input).toEqual({ a: 2, b: 3 });
    // The tool got Keel's idempotency key for its call.
    expect(executions).toEqual([`add 2 3 ${first.executionId}:add:call_1`]);

    const replay = await runtime.executions.replay(first.executionId);
    expect(replay).toMatchObject({ status: 'completed', output: { output: 'The sum is 5', usageIsClass: true } });
    expect(fake.requests).toHaveLength(2);
    expect(executions).toHaveLength(1);
  });

  test('a model set on the agent as a Model instance is checkpointed too', async () => {
    const fake = await fakeServer(addThenAnswer);
    const { agent } = calculator(fake);
    agent.agent.model = await providerFor(fake).getModel('gpt-4o');
    const runtime = createRuntime({ store: memoryStore() });
    const first = await runtime.flow('sums', async () => (await agent.run('What is 2 + 3?')).finalOutput).run(undefined);
    expect(first).toMatchObject({ status: 'completed', output: 'The sum is 5' });
    expect((await runtime.executions.checkpoints(first.executionId)).map((checkpoint) => checkpoint.id)).toEqual(['model:1', 'add:call_1', 'model:2']);
    await runtime.executions.replay(first.executionId);
    expect(fake.requests).toHaveLength(2);
  });

  test('a provider that reuses a tool call id in a later turn of the conversation gets two records, each replayed to its own call', async () => {
    // The SDK refuses a reused id within one run; across runs (turns of a conversation) some providers reuse them.
    const fake = await fakeServer([
      { toolCalls: [{ name: 'add', id: 'call_0', arguments: { a: 1, b: 1 } }] },
      (request) => `First: ${lastToolOutput(request)!.text}`,
      { toolCalls: [{ name: 'add', id: 'call_0', arguments: { a: 20, b: 20 } }] },
      (request) => `Second: ${lastToolOutput(request)!.text}`,
    ]);
    const { agent, executions } = calculator(fake);
    const runtime = createRuntime({ store: memoryStore() });
    const conversation = runtime.flow('conversation', async () => {
      const first = await agent.run('Add 1 and 1');
      const second = await agent.run([...first.history, { role: 'user', content: 'Now 20 and 20' }]);
      return [first.finalOutput, second.finalOutput];
    });
    const first = await conversation.run(undefined);
    expect(first).toMatchObject({ status: 'completed', output: ['First: 2', 'Second: 40'] });
    const checkpoints = byId(await runtime.executions.checkpoints(first.executionId));
    expect(checkpoints['add:call_0']!.output).toBe('2');
    expect(checkpoints['add:call_0~2']!.output).toBe('40');

    const replay = await conversation.replay(first.executionId);
    expect(replay).toMatchObject({ status: 'completed', output: ['First: 2', 'Second: 40'] });
    expect(executions).toHaveLength(2);
    expect(fake.requests).toHaveLength(4);
  });

  test('the capture policy decides what is recorded beyond the outputs, with redaction', async () => {
    const fake = await fakeServer([
      {
        toolCalls: [
          { name: 'login', arguments: { user: 'ada', password: 'hunter2' } },
          { name: 'search', arguments: { query: 'ai', apiKey: 'sk-1' } },
        ],
      },
      'done',
    ]);
    const login = tool({ name: 'login', description: 'Logs in.', parameters: z.object({ user: z.string(), password: z.string() }), execute: async () => 'ok' });
    const search = tool({
      name: 'search',
      description: 'Searches.',
      parameters: z.object({ query: z.string(), apiKey: z.string() }),
      execute: async () => 'hits',
    });
    const agent = durable(new Agent({ name: 'clerk', instructions: 'You look things up.', model: 'gpt-4o', tools: [login, search] }), {
      runConfig: { modelProvider: providerFor(fake) },
      capture: {
        model: 'metadata',
        redact: (value, call) => (call.name === 'search' ? { ...(value as object), apiKey: '[redacted]' } : value),
      },
      tools: { login: { capture: 'none' } },
    });
    const runtime = createRuntime({ store: memoryStore() });
    const first = await runtime.flow('clerk', async () => (await agent.run('Look it up')).finalOutput).run(undefined);
    expect(first.status).toBe('completed');
    const checkpoints = byId(await runtime.executions.checkpoints(first.executionId));
    expect(checkpoints['model:1']!.input).toBeUndefined();
    expect(checkpoints['model:1']!.metadata).toMatchObject({ model: 'gpt-4o', usage: expect.any(Object) });
    expect(checkpoints['login:call_1']!.input).toBeUndefined();
    expect(checkpoints['login:call_1']!.metadata).toBeUndefined();
    expect(checkpoints['login:call_1']!.output).toBe('ok'); // replay still needs it
    expect(checkpoints['search:call_2']!.input).toEqual({ query: 'ai', apiKey: '[redacted]' });
  });

  test('a tool opted out with durable: false runs again on replay; the others do not', async () => {
    const fake = await fakeServer([
      {
        toolCalls: [
          { name: 'clock', arguments: {} },
          { name: 'add', arguments: { a: 1, b: 2 } },
        ],
      },
      (request) => `at ${lastToolOutput(request)!.text}`,
    ]);
    let ticks = 0;
    const clock = tool({ name: 'clock', description: 'The time.', parameters: z.object({}), execute: async () => `tick ${++ticks}` });
    const { agent, executions } = calculator(fake, { tools: { clock: { durable: false } } });
    agent.agent.tools.push(clock);
    const runtime = createRuntime({ store: memoryStore() });
    const flow = runtime.flow('clock', async () => (await agent.run('Time?')).finalOutput);
    const first = await flow.run(undefined);
    expect(first.status).toBe('completed');
    await flow.replay(first.executionId);
    expect(ticks).toBe(2);
    expect(executions).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  test('per-tool policies reach the records: at-most-once delivery, and a tool that fails is retried', async () => {
    const fake = await fakeServer([
      {
        toolCalls: [
          { name: 'send_alert', arguments: { message: 'breaking' } },
          { name: 'flaky', arguments: {} },
        ],
      },
      (request) => `Done: ${lastToolOutput(request)!.text}`,
    ]);
    let attempts = 0;
    const sendAlert = tool({ name: 'send_alert', description: 'Alerts.', parameters: z.object({ message: z.string() }), execute: async () => 'sent' });
    // errorFunction: null lets the failure reach Keel instead of becoming a message for the model.
    const flaky = tool({
      name: 'flaky',
      description: 'Fails once.',
      parameters: z.object({}),
      errorFunction: null,
      execute: async () => {
        if (++attempts === 1) throw new Error('temporarily unavailable');
        return 'worked';
      },
    });
    const agent = durable(new Agent({ name: 'alerter', instructions: 'You alert.', model: 'gpt-4o', tools: [sendAlert, flaky] }), {
      runConfig: { modelProvider: providerFor(fake) },
      tools: { send_alert: { delivery: 'at-most-once' }, flaky: { retries: { retries: 1, backoff: 0 } } },
    });
    const runtime = createRuntime({ store: memoryStore() });
    const first = await runtime.flow('alerts', async () => (await agent.run('Alert everyone')).finalOutput).run(undefined);
    expect(first).toMatchObject({ status: 'completed', output: 'Done: worked' });
    const checkpoints = byId(await runtime.executions.checkpoints(first.executionId));
    expect(checkpoints['send_alert:call_1']).toMatchObject({ delivery: 'at-most-once', attempts: 1 });
    expect(checkpoints['flaky:call_2']).toMatchObject({ delivery: 'at-least-once', attempts: 2, output: 'worked' });
  });

  test('a failed model request is retried as the same checkpoint', async () => {
    const fake = await fakeServer([{ fault: { status: 500 } }, ...addThenAnswer]);
    const { agent } = calculator(fake, { retries: { model: { retries: 1, backoff: 0 } } });
    const runtime = createRuntime({ store: memoryStore() });
    const first = await runtime.flow('sums', async () => (await agent.run('What is 2 + 3?')).finalOutput).run(undefined);
    expect(first).toMatchObject({ status: 'completed', output: 'The sum is 5' });
    const checkpoints = byId(await runtime.executions.checkpoints(first.executionId));
    expect(checkpoints['model:1']!.attempts).toBe(2);
    expect(fake.requests.map((request) => request.outcome)).toEqual(['failed', 'replied', 'replied']);
  });

  test('a changed prompt meets the recorded request as a divergence, not a silently reused answer', async () => {
    const fake = await fakeServer([...addThenAnswer, ...addThenAnswer]);
    let instructions = 'You add numbers.';
    const runtime = createRuntime({ store: memoryStore() });
    const flow = runtime.flow('sums', async () => (await calculator(fake, {}, instructions).agent.run('What is 2 + 3?')).finalOutput);
    const first = await flow.run(undefined);
    expect(first.status).toBe('completed');
    instructions = 'You add numbers, carefully.';
    const replay = await flow.replay(first.executionId);
    expect(replay.status).toBe('failed');
    expect(DivergenceError.isInstance(replay.error)).toBe(true);
    expect(replay.error!.message).toContain('model:1');
    expect(fake.requests).toHaveLength(2);
  });
});
