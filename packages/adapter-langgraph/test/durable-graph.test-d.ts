import type { BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { Annotation, END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { durableChatModel, durableGraph, durableTools, type DurableGraphHandle } from '@keel/adapter-langgraph';

const State = Annotation.Root({ ...MessagesAnnotation.spec, verdict: Annotation<'publish' | 'hold'> });

describe("durableGraph(graph) keeps the graph's own types", () => {
  it('invoke and stream have the compiled graph signatures, and keel is added', () => {
    const graph = new StateGraph(State)
      .addNode('decide', () => ({ verdict: 'publish' as const }))
      .addEdge(START, 'decide')
      .addEdge('decide', END)
      .compile();
    const durable = durableGraph(graph);
    expectTypeOf(durable.invoke).toEqualTypeOf(graph.invoke);
    expectTypeOf(durable.stream).toEqualTypeOf(graph.stream);
    expectTypeOf(durable.invoke({ messages: [] }))
      .resolves.toHaveProperty('verdict')
      .toEqualTypeOf<'publish' | 'hold'>();
    expectTypeOf(durable.invoke({ messages: [] }))
      .resolves.toHaveProperty('messages')
      .toEqualTypeOf<BaseMessage[]>();
    expectTypeOf(durable.keel).toEqualTypeOf<DurableGraphHandle>();
  });

  it('durableChatModel and durableTools keep the model and tool types', () => {
    const chat = new ChatOpenAI({ model: 'gpt-4o', apiKey: 'test' });
    expectTypeOf(durableChatModel(chat).invoke).returns.resolves.toEqualTypeOf<Awaited<ReturnType<typeof chat.invoke>>>();
    const lookup = tool(async ({ topic }: { topic: string }) => topic, { name: 'lookup', schema: z.object({ topic: z.string() }) });
    expectTypeOf(durableTools([lookup])).toEqualTypeOf<(typeof lookup)[]>();
  });
});
