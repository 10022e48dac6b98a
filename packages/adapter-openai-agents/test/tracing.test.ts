import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { Agent, OpenAIProvider, tool } from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM } from '@keel/testkit';
import { durable } from '@keel/adapter-openai-agents';
import './fake-provider.js'; // turns the SDK's own tracing (to api.openai.com) off
import { lastToolOutput } from './news-brain.js';

// No OpenTelemetry processor for the OpenAI Agents SDK's own traces is kept on npm (its processors
// export to OpenAI). What composes is the OpenTelemetry context: Keel's model checkpoint span is
// active while the request is made, so HTTP client instrumentation (here, a traced `fetch` given
// to the OpenAI client, as undici or fetch instrumentation would make it) nests under it.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});

const http = trace.getTracer('http-client');
const tracedFetch: typeof fetch = (input, init) =>
  http.startActiveSpan(`POST ${new URL(String(input instanceof Request ? input.url : input)).pathname}`, { kind: SpanKind.CLIENT }, async (span) => {
    try {
      return await fetch(input, init);
    } finally {
      span.end();
    }
  });

function parentOf(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan | undefined {
  return spans.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);
}

test("the model request's HTTP span is a child of Keel's model checkpoint span, which carries the GenAI attributes", async () => {
  const fake = await startFakeLLM({
    script: [
      { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 31, outputTokens: 7 } },
      (request) => ({ text: `The sum is ${lastToolOutput(request)!.text}`, usage: { inputTokens: 52, outputTokens: 5 } }),
    ],
  });
  try {
    const add = tool({
      name: 'add',
      description: 'Adds two numbers.',
      parameters: z.object({ a: z.number(), b: z.number() }),
      execute: async ({ a, b }) => String(a + b),
    });
    const modelProvider = new OpenAIProvider({ openAIClient: new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0, fetch: tracedFetch }) });
    const agent = durable(new Agent({ name: 'calculator', instructions: 'You add numbers.', model: 'gpt-4o', tools: [add] }), { runConfig: { modelProvider } });
    const runtime = createRuntime({ store: memoryStore() });
    const sums = runtime.flow('sums', async (question: string) => (await agent.run(question)).finalOutput);
    expect(await sums.run('What is 2 + 3?')).toMatchObject({ status: 'completed', output: 'The sum is 5' });

    const spans = exporter.getFinishedSpans();
    const requests = spans.filter((span) => span.name === 'POST /v1/responses');
    expect(requests).toHaveLength(2);
    const models = requests.map((request) => parentOf(request, spans));
    expect(models.map((model) => model?.name)).toEqual(['keel.model model', 'keel.model model']);
    expect(models.map((model) => parentOf(model!, spans)?.name)).toEqual(['keel.run sums', 'keel.run sums']);
    expect(models[0]!.attributes).toMatchObject({
      'keel.checkpoint.id': 'model:1',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 31,
      'gen_ai.usage.output_tokens': 7,
    });
    expect(spans.find((span) => span.name === 'keel.tool add')?.attributes['keel.checkpoint.kind']).toBe('tool');
  } finally {
    await fake.stop();
  }
});
