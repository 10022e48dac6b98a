import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRuntime, memoryStore } from '@keel/core';
import { durableChatModel, durableGraph } from '@keel/adapter-langgraph';
import { writerGraph } from './writer-graph.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  new LangChainInstrumentation({ tracerProvider: provider }).manuallyInstrument(CallbackManagerModule);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});

function parentOf(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan | undefined {
  return spans.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);
}

// LangChain's spans come from its callbacks, through OpenInference's LangChain instrumentation (an
// OpenTelemetry instrumentation kept on npm); Keel's come from its runner, in the same trace.
test("LangChain's span for each model call is a child of Keel's model checkpoint span, and the graph's span of Keel's turn", async () => {
  const runtime = createRuntime({ store: memoryStore() });
  const model = durableChatModel(fakeModel().respond(new AIMessage('outline')).respond(new AIMessage('draft')));
  const graph = durableGraph(writerGraph(model), { runtime });
  await graph.invoke({ messages: [new HumanMessage('Write about Keel')] }, { configurable: { thread_id: 'essay' } });
  const spans = exporter.getFinishedSpans();
  const session = spans.find((span) => span.name === 'keel.run langgraph:writer')!;
  const turn = spans.find((span) => span.name === 'keel.step langgraph')!;
  expect(parentOf(turn, spans)).toBe(session);
  const graphSpan = spans.find((span) => span.name === 'writer' && span.instrumentationScope.name !== '@keel/core')!;
  expect(parentOf(graphSpan, spans)).toBe(turn);

  const keelModelCalls = spans.filter((span) => span.name === 'keel.model model');
  expect(keelModelCalls.map((span) => span.attributes['keel.checkpoint.id'])).toEqual(['langgraph:1/model:plan@1#1', 'langgraph:1/model:write@2#1']);
  const modelSpans = spans.filter((span) => span.name === 'FakeBuiltModel');
  expect(modelSpans).toHaveLength(2);
  expect(modelSpans.map((span) => parentOf(span, spans))).toEqual(keelModelCalls);
  for (const span of spans) expect(span.spanContext().traceId).toBe(session.spanContext().traceId);
  await runtime.close();
});
