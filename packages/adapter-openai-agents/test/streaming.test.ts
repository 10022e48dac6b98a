import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeLLMOptions } from '@keel/testkit';
import { Agent, StreamedRunResult, tool, type RunStreamEvent } from '@openai/agents';
import { afterEach, expect, test } from 'vitest';
import { z } from 'zod';
import { durable } from '@keel/adapter-openai-agents';
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

/** An event as a comparable line: raw model events whole, run items by their raw item, agents by name. */
function describeEvent(event: RunStreamEvent): string {
  if (event.type === 'raw_model_stream_event') return `raw ${JSON.stringify(event.data)}`;
  if (event.type === 'run_item_stream_event') return `item ${event.name} ${JSON.stringify(event.item.rawItem)}`;
  return `agent ${event.agent.name}`;
}

async function consume(streamed: StreamedRunResult<any, any>) {
  const events: string[] = [];
  for await (const event of streamed) events.push(describeEvent(event));
  await streamed.completed;
  return { events, finalOutput: streamed.finalOutput as unknown };
}

function weatherAgent(fake: FakeLLM, needsApproval = false) {
  const executions: string[] = [];
  const weather = tool({
    name: 'weather',
    description: 'The weather in a city.',
    parameters: z.object({ city: z.string() }),
    needsApproval,
    execute: async ({ city }) => {
      executions.push(city);
      return `sunny in ${city}`;
    },
  });
  const agent = durable(new Agent({ name: 'forecaster', instructions: 'You forecast.', model: 'gpt-4o', tools: [weather] }), {
    runConfig: { modelProvider: providerFor(fake) },
  });
  return { agent, executions };
}

const weatherScript: FakeLLMOptions['script'] = [
  { text: 'Let me check.', toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] },
  (request) => `Report: ${lastToolOutput(request)!.text}, enjoy the day`,
];

test('a streamed run is recorded live and replayed as the same event stream, without requests or tool runs', async () => {
  const fake = await fakeServer(weatherScript);
  const { agent, executions } = weatherAgent(fake);
  const runtime = createRuntime({ store: memoryStore() });
  const flow = runtime.flow('forecast', async () => consume(await agent.run('Rome?', { stream: true })));

  const live = await flow.run(undefined);
  expect(live.status).toBe('completed');
  const { events, finalOutput } = live.output!;
  expect(finalOutput).toBe('Report: sunny in Rome, enjoy the day');
  expect(events.filter((line) => line.startsWith('raw {"type":"output_text_delta"')).length).toBeGreaterThan(3);
  expect(events.some((line) => line.startsWith('item tool_output'))).toBe(true);
  const checkpoints = await runtime.executions.checkpoints(live.executionId);
  expect(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint.kind])).toEqual([
    ['model:1', 'model'],
    ['weather:call_1', 'tool'],
    ['model:2', 'model'],
  ]);
  expect(checkpoints[0]!.metadata).toMatchObject({
    streamed: true,
    model: 'gpt-4o',
    usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
  });

  const replay = await flow.replay(live.executionId);
  expect(replay.status).toBe('completed');
  expect(replay.output!.events).toEqual(events);
  expect(replay.output!.finalOutput).toBe(finalOutput);
  expect(fake.requests).toHaveLength(2);
  expect(executions).toEqual(['Rome']);
});

test('a streamed run that stops for an approval is one stream across the stop: it completes only after the decision', async () => {
  const fake = await fakeServer(weatherScript);
  const { agent, executions } = weatherAgent(fake, true);
  const runtime = createRuntime({ store: memoryStore() });
  let streamsCompleted = 0;
  const flow = runtime.flow('forecast', async () => {
    const consumed = await consume(await agent.run('Rome?', { stream: true }));
    streamsCompleted++;
    return consumed;
  });

  const stopped = await flow.run(undefined);
  expect(stopped).toMatchObject({ status: 'waiting', waits: [{ name: 'weather', id: 'weather:1' }] });
  // The flow did not see an ended stream at the stop.
  expect(streamsCompleted).toBe(0);

  await runtime.executions.input(stopped.executionId, 'weather', { approve: true });
  const resumed = await flow.resume(stopped.executionId);
  expect(resumed.status).toBe('completed');
  const { events, finalOutput } = resumed.output!;
  expect(finalOutput).toBe('Report: sunny in Rome, enjoy the day');
  // The replayed first leg, then the live second leg, in one stream.
  const items = events.filter((line) => line.startsWith('item ')).map((line) => line.split(' ')[1]);
  expect(items).toEqual(['message_output_created', 'tool_called', 'tool_approval_requested', 'tool_output', 'message_output_created']);
  expect(events.filter((line) => line.startsWith('raw {"type":"response_started"'))).toHaveLength(2);
  expect(executions).toEqual(['Rome']);
  expect(fake.requests).toHaveLength(2);
  expect(streamsCompleted).toBe(1);
});

test('outside a flow, a streamed run opens its own execution and is the SDK’s StreamedRunResult', async () => {
  const fake = await fakeServer(weatherScript);
  const runtime = createRuntime({ store: memoryStore() });
  const weather = tool({
    name: 'weather',
    description: 'Weather.',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => `sunny in ${city}`,
  });
  const agent = durable(new Agent({ name: 'forecaster', instructions: 'You forecast.', model: 'gpt-4o', tools: [weather] }), {
    runConfig: { modelProvider: providerFor(fake) },
    runtime,
  });
  const streamed = await agent.run('Rome?', { stream: true });
  expect(streamed).toBeInstanceOf(StreamedRunResult);
  let text = '';
  for await (const chunk of streamed.toTextStream()) text += chunk;
  await streamed.completed;
  expect(text).toBe('Let me check.Report: sunny in Rome, enjoy the day');
  expect(streamed.finalOutput).toBe('Report: sunny in Rome, enjoy the day');
  const [execution] = await runtime.executions.list({ flow: 'forecaster' });
  expect(execution).toMatchObject({ status: 'completed' });
  expect((await runtime.executions.get(execution!.id)).output).toMatchObject({ finalOutput: 'Report: sunny in Rome, enjoy the day', lastAgent: 'forecaster' });
});
