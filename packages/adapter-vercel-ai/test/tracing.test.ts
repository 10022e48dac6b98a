import { OpenTelemetry } from '@ai-sdk/otel';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { registerTelemetry } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { durable } from '../src/index.js';
import { newsScript } from './support/news-script.js';
import { ai6Sdk, ai7Sdk, newsTools, type SdkUnderTest } from './support/sdk-under-test.js';

// ai 7 emits its spans through a registered telemetry integration (@ai-sdk/otel); ai 6 through
// `experimental_telemetry: { isEnabled: true }` on the call, with the global tracer provider.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
let fake: FakeLLM | undefined;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  registerTelemetry(new OpenTelemetry());
});
afterEach(async () => {
  exporter.reset();
  await fake?.stop();
  fake = undefined;
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});

/** The span each `ai` major opens around an agent run, and the ones it opens per model request. */
const harnessSpans: Record<SdkUnderTest['name'], { run: string; modelCall: string; toolCall: RegExp }> = {
  'ai 6': { run: 'ai.generateText', modelCall: 'ai.generateText.doGenerate', toolCall: /^ai\.toolCall$/ },
  'ai 7': { run: 'invoke_agent gpt-4o', modelCall: 'chat gpt-4o', toolCall: /^execute_tool (searchNews|readPage|rankStories)$/ },
};

function ancestors(span: ReadableSpan, spans: readonly ReadableSpan[]): string[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanContext().spanId, candidate]));
  const names: string[] = [];
  for (
    let parent = span.parentSpanContext && byId.get(span.parentSpanContext.spanId);
    parent;
    parent = parent.parentSpanContext && byId.get(parent.parentSpanContext.spanId)
  ) {
    names.push(parent.name);
  }
  return names;
}

describe.each([ai6Sdk, ai7Sdk])('$name: spans of a durable agent', (sdk) => {
  it("nest the harness's spans under Keel's checkpoint for the agent run, in the session's trace", async () => {
    fake = await startFakeLLM({ script: newsScript() });
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(
      new sdk.ToolLoopAgent({
        id: 'news-scout',
        model: sdk.model(fake.url),
        tools: newsTools(sdk, []),
        instructions: 'Be brief.',
        ...(sdk.name === 'ai 6' ? { experimental_telemetry: { isEnabled: true } } : {}),
      }),
    );
    const scout = runtime.flow('scout', async (text: string) => (await agent.generate({ prompt: text })).text as string);
    const first = await scout.run('Find the news');
    expect(first.status).toBe('completed');

    const spans = exporter.getFinishedSpans();
    const expected = harnessSpans[sdk.name];
    const session = spans.find((span) => span.name === 'keel.run scout')!;
    const agentRun = spans.find((span) => span.name === 'keel.step news-scout')!;
    const harnessRun = spans.filter((span) => span.name === expected.run);
    expect(harnessRun).toHaveLength(1);
    expect(harnessRun[0]!.parentSpanContext?.spanId).toBe(agentRun.spanContext().spanId);
    expect(ancestors(agentRun, spans)).toEqual(['keel.run scout']);
    const modelCalls = spans.filter((span) => span.name === expected.modelCall);
    const toolCalls = spans.filter((span) => expected.toolCall.test(span.name));
    expect([modelCalls.length, toolCalls.length]).toEqual([4, 4]);
    for (const span of [...modelCalls, ...toolCalls]) {
      expect(ancestors(span, spans).slice(-2)).toEqual(['keel.step news-scout', 'keel.run scout']);
      expect(span.spanContext().traceId).toBe(session.spanContext().traceId);
    }

    const keelModelCalls = spans.filter((span) => span.name === 'keel.model model');
    expect(keelModelCalls).toHaveLength(4);
    expect(keelModelCalls.map((span) => span.parentSpanContext?.spanId)).toEqual(Array(4).fill(agentRun.spanContext().spanId));
    expect(keelModelCalls.map((span) => span.attributes['gen_ai.usage.input_tokens']).sort()).toEqual([100, 200, 300, 400]);
    expect(keelModelCalls[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.provider.name': 'openai.chat',
      'gen_ai.usage.output_tokens': 7,
    });
    expect(spans.filter((span) => span.name.startsWith('keel.tool ')).map((span) => span.attributes['keel.checkpoint.kind'])).toEqual([
      'tool',
      'tool',
      'tool',
      'tool',
    ]);

    exporter.reset();
    const replayed = await scout.replay(first.executionId);
    expect(replayed.status).toBe('completed');
    const replaySpans = exporter.getFinishedSpans();
    // The harness runs again; every model request and tool call is answered from the store.
    const replayedCalls = replaySpans.filter((span) => span.name === 'keel.model model' || span.name.startsWith('keel.tool '));
    expect(replayedCalls).toHaveLength(8);
    expect(replayedCalls.every((span) => span.attributes['keel.reused'] === true)).toBe(true);
    expect(replayedCalls.every((span) => span.attributes['gen_ai.usage.input_tokens'] === undefined)).toBe(true);
    expect(replaySpans.filter((span) => span.name === expected.modelCall)).toHaveLength(4);
    expect(fake.requests).toHaveLength(4);
  });
});
