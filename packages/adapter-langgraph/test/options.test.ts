import { DivergenceError, ExecutionCancelledError, createRuntime, memoryStore, type Runtime } from '@keel/core';
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { Command, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { durableChatModel, durableGraph, durableTool, durableTools, type DurableChatModelOptions, type Granularity } from '@keel/adapter-langgraph';

let runtime: Runtime;
beforeEach(() => {
  runtime = createRuntime({ store: memoryStore() });
});
afterEach(async () => {
  await runtime.close();
});

const thread = (id: string) => ({ configurable: { thread_id: id } });

/** A node that calls the model, then asks a question; resuming runs the node again. */
function askingGraph(granularity: Granularity, options: DurableChatModelOptions = {}) {
  const inner = fakeModel().respond(new AIMessage('first')).respond(new AIMessage('second'));
  const model = durableChatModel(inner, options);
  const graph = durableGraph(
    new StateGraph(MessagesAnnotation)
      .addNode('ask', async (state) => {
        const reply = await model.invoke(state.messages);
        return { messages: [reply, new AIMessage(String(interrupt('OK?')))] };
      })
      .addEdge(START, 'ask')
      .addEdge('ask', END)
      .compile(),
    { runtime, granularity },
  );
  return { inner, graph };
}

async function records(graph: { keel: { executions(thread: string): Promise<{ id: string }[]> } }, threadId: string) {
  const [execution] = await graph.keel.executions(threadId);
  return runtime.executions.checkpoints(execution!.id);
}

describe('granularity', () => {
  test('calls (default): a node run again reuses its recorded call', async () => {
    const { inner, graph } = askingGraph('calls');
    await graph.invoke({ messages: [new HumanMessage('go')] }, thread('c'));
    const done = (await graph.invoke(new Command({ resume: 'yes' }), thread('c'))) as { messages: BaseMessage[] };
    expect(done.messages.map((message) => message.content)).toEqual(['go', 'first', 'yes']);
    expect(inner.callCount).toBe(1);
  });

  test('turn: calls are recorded but not reused, the run is the unit', async () => {
    const { inner, graph } = askingGraph('turn');
    await graph.invoke({ messages: [new HumanMessage('go')] }, thread('t'));
    const done = (await graph.invoke(new Command({ resume: 'yes' }), thread('t'))) as { messages: BaseMessage[] };
    expect(done.messages.map((message) => message.content)).toEqual(['go', 'second', 'yes']);
    expect(inner.callCount).toBe(2);
    const calls = (await records(graph, 't')).filter((record) => record.kind === 'model');
    expect(calls.map((record) => [record.durable, record.status])).toEqual([[false, 'completed']]);
    const run = (await records(graph, 't')).find((record) => record.id === 'langgraph:1')!;
    expect(run.durable).toBe(true);
    expect(JSON.stringify(run.output)).toContain('second');
  });
});

describe('capture', () => {
  test('metadata: the prompt is not captured, the model id is', async () => {
    const { graph } = askingGraph('calls', { capture: 'metadata' });
    await graph.invoke({ messages: [new HumanMessage('secret plans')] }, thread('m'));
    const [call] = (await records(graph, 'm')).filter((record) => record.kind === 'model');
    expect(call!.input).toBeUndefined();
    expect(call!.metadata).toMatchObject({ model: 'fake-model-builder' });
    expect(JSON.stringify(call!.output)).toContain('first');
  });

  test('none: neither the arguments nor metadata of a tool call are kept, only its result', async () => {
    const lookup = tool(async ({ id }) => `record ${id}`, { name: 'lookup', description: 'Look up.', schema: z.object({ id: z.string() }) });
    const tools = durableTools([lookup], { capture: 'none' });
    const inner = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'lookup', args: { id: 'patient-7' } }] }))
      .respond(new AIMessage('done'));
    const model = durableChatModel(inner).bindTools(tools);
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
        .addNode('tools', new ToolNode(tools))
        .addEdge(START, 'agent')
        .addConditionalEdges('agent', (state) => ((state.messages.at(-1) as AIMessage).tool_calls?.length ? 'tools' : END))
        .addEdge('tools', 'agent')
        .compile(),
      { runtime },
    );
    await graph.invoke({ messages: [new HumanMessage('look up patient 7')] }, thread('n'));
    const [call] = (await records(graph, 'n')).filter((record) => record.kind === 'tool');
    expect(call!.input).toBeUndefined();
    expect(call!.metadata).toBeUndefined();
    expect(JSON.stringify(call!.output)).toContain('record patient-7');
  });
});

describe('tool options', () => {
  test('durable: false opts a tool out (it runs again when its node does); others run once', async () => {
    let clock = 0;
    let searches = 0;
    const now = tool(async () => `t=${++clock}`, { name: 'now', description: 'The time.', schema: z.object({}) });
    const search = tool(async () => `hits=${++searches}`, { name: 'search', description: 'Search.', schema: z.object({}) });
    const confirm = tool(async () => `confirmed: ${String(interrupt('Confirm?'))}`, { name: 'confirm', description: 'Ask.', schema: z.object({}) });
    const tools = durableTools([now, search, confirm], { tools: { now: { durable: false } } });
    const inner = fakeModel()
      .respond(
        new AIMessage({
          content: '',
          tool_calls: [
            { id: 'call_1', name: 'now', args: {} },
            { id: 'call_2', name: 'search', args: {} },
            { id: 'call_3', name: 'confirm', args: {} },
          ],
        }),
      )
      .respond(new AIMessage('done'));
    const model = durableChatModel(inner).bindTools(tools);
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
        .addNode('tools', new ToolNode(tools))
        .addEdge(START, 'agent')
        .addConditionalEdges('agent', (state) => ((state.messages.at(-1) as AIMessage).tool_calls?.length ? 'tools' : END))
        .addEdge('tools', 'agent')
        .compile(),
      { runtime },
    );
    await graph.invoke({ messages: [new HumanMessage('go')] }, thread('o'));
    const done = (await graph.invoke(new Command({ resume: 'yes' }), thread('o'))) as { messages: BaseMessage[] };
    expect(done.messages.filter((message) => ToolMessage.isInstance(message)).map((message) => message.content)).toEqual(['t=2', 'hits=1', 'confirmed: yes']);
    expect(clock).toBe(2);
    expect(searches).toBe(1);
  });

  test('retries: a model call that fails is attempted again by Keel, and the record counts the attempts', async () => {
    const inner = fakeModel().respond(new Error('overloaded')).respond(new AIMessage('fine'));
    const model = durableChatModel(inner, { retries: 1, backoff: 0 });
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('answer', async (state) => ({ messages: [await model.invoke(state.messages)] }))
        .addEdge(START, 'answer')
        .addEdge('answer', END)
        .compile(),
      { runtime },
    );
    const result = (await graph.invoke({ messages: [new HumanMessage('hi')] }, thread('r'))) as { messages: BaseMessage[] };
    expect(result.messages.at(-1)!.content).toBe('fine');
    const [call] = (await records(graph, 'r')).filter((record) => record.kind === 'model');
    expect([call!.status, call!.attempts]).toEqual(['completed', 2]);
  });
});

test('cancelling the execution stops the graph; the tool error never reaches the model or the thread', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const slow = tool(
    (_input, config) =>
      new Promise<string>((_resolve, reject) => {
        started();
        config.signal!.addEventListener('abort', () => reject(config.signal!.reason as Error));
      }),
    { name: 'slow', description: 'Takes long.', schema: z.object({}) },
  );
  const tools = durableTools([slow]);
  const inner = fakeModel()
    .respond(new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'slow', args: {} }] }))
    .respond(new AIMessage('should not be asked'));
  const model = durableChatModel(inner).bindTools(tools);
  const graph = durableGraph(
    new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addNode('tools', new ToolNode(tools))
      .addEdge(START, 'agent')
      .addConditionalEdges('agent', (state) => ((state.messages.at(-1) as AIMessage).tool_calls?.length ? 'tools' : END))
      .addEdge('tools', 'agent')
      .compile(),
    { runtime },
  );
  const run = graph.invoke({ messages: [new HumanMessage('go')] }, thread('x'));
  await running;
  const [execution] = await graph.keel.executions('x');
  await runtime.executions.cancel(execution!.id);
  await expect(run).rejects.toSatisfy((error) => ExecutionCancelledError.isInstance(error));
  expect((await runtime.executions.get(execution!.id)).status).toBe('cancelled');
  expect(inner.callCount).toBe(1);
  const state = await graph.getState(thread('x'));
  expect((state.values as { messages: BaseMessage[] }).messages.some((message) => ToolMessage.isInstance(message))).toBe(false);
});

test("a Keel error inside a call stops the run even when the graph's code catches it", async () => {
  let version = 0;
  const search = durableTool(tool(async ({ q }) => `hits for ${q}`, { name: 'search', description: 'Search.', schema: z.object({ q: z.string() }) }));
  const graph = durableGraph(
    new StateGraph(MessagesAnnotation)
      .addNode('work', async () => {
        let found: string;
        try {
          // The arguments change when the node runs again: the recorded call no longer matches.
          found = String(await search.invoke({ id: 'call_1', name: 'search', args: { q: `v${++version}` }, type: 'tool_call' }));
        } catch (error) {
          found = `error: ${(error as Error).message}`; // as ToolNode does with every tool error
        }
        return { messages: [new AIMessage(found), new AIMessage(String(interrupt('Go on?')))] };
      })
      .addEdge(START, 'work')
      .addEdge('work', END)
      .compile(),
    { runtime },
  );
  await graph.invoke({ messages: [new HumanMessage('go')] }, thread('d'));
  await expect(graph.invoke(new Command({ resume: 'yes' }), thread('d'))).rejects.toSatisfy((error) => DivergenceError.isInstance(error));
  const [execution] = await graph.keel.executions('d');
  expect((await runtime.executions.get(execution!.id)).status).toBe('failed');
  const state = await graph.getState(thread('d'));
  expect((state.values as { messages: BaseMessage[] }).messages.map((message) => message.content)).toEqual(['go']);
});

test('interruptTimeout: an interrupt nobody answers in time fails the turn with WaitTimeoutError when recovery runs it', async () => {
  const graph = durableGraph(
    new StateGraph(MessagesAnnotation)
      .addNode('ask', async () => ({ messages: [new AIMessage(String(interrupt('Still there?')))] }))
      .addEdge(START, 'ask')
      .addEdge('ask', END)
      .compile({ name: 'asker' }),
    { runtime, interruptTimeout: 1 },
  );
  await graph.invoke({ messages: [new HumanMessage('hello')] }, thread('to'));
  const [execution] = await graph.keel.executions('to');
  const [wait] = await runtime.executions.waits(execution!.id);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait!.expiresAt! - Date.now()) + 5));
  const [report] = await runtime.executions.recover({ flows: ['langgraph:asker'] });
  expect(report!.result!.status).toBe('failed');
  expect(report!.result!.error!.name).toBe('WaitTimeoutError');
});
