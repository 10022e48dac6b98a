import { createRuntime, memoryStore, type Runtime } from '@keel/core';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { Command, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { createAgent, humanInTheLoopMiddleware } from 'langchain';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { InterruptResumeAmbiguousError, durableChatModel, durableGraph, durableTools } from '@keel/adapter-langgraph';

let runtime: Runtime;
beforeEach(() => {
  runtime = createRuntime({ store: memoryStore() });
});
afterEach(async () => {
  await runtime.close();
});

const thread = (id: string) => ({ configurable: { thread_id: id } });
const contents = (result: unknown) => (result as { messages: BaseMessage[] }).messages.map((message) => message.content);
const interruptsOf = (result: unknown) => (result as { __interrupt__?: { id: string; value: unknown }[] }).__interrupt__ ?? [];

/** A model that answers with the given texts in order, counting the calls that reach it. */
function scriptedModel(...texts: string[]) {
  const inner = fakeModel();
  for (const text of texts) inner.respond(new AIMessage(text));
  return inner;
}

describe('interrupt() as a Keel wait', () => {
  test('the run waits in Keel, invoke returns __interrupt__, and Command({ resume }) finishes it without repeating calls', async () => {
    const inner = scriptedModel('outline', 'draft');
    const model = durableChatModel(inner);
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('write', async (state) => {
          const outline = await model.invoke(state.messages);
          const draft = await model.invoke([...state.messages, outline]);
          const verdict = interrupt<{ question: string }, string>({ question: 'Publish?' });
          return { messages: [outline, draft, new AIMessage(`verdict: ${verdict}`)] };
        })
        .addEdge(START, 'write')
        .addEdge('write', END)
        .compile({ name: 'writer' }),
      { runtime },
    );

    const first = await graph.invoke({ messages: [new HumanMessage('go')] }, thread('w'));
    expect(interruptsOf(first)).toEqual([{ id: expect.any(String), value: { question: 'Publish?' } }]);
    const [execution] = await graph.keel.executions('w');
    expect(execution!.flow).toBe('langgraph:writer');
    expect(execution!.status).toBe('waiting');
    const waits = await runtime.executions.waits(execution!.id);
    expect(waits.map((wait) => [wait.name, wait.status, wait.question, wait.metadata?.['interruptId']])).toEqual([
      ['write', 'pending', 'Publish?', interruptsOf(first)[0]!.id],
    ]);

    const second = await graph.invoke(new Command({ resume: 'yes' }), thread('w'));
    expect(contents(second)).toEqual(['go', 'outline', 'draft', 'verdict: yes']);
    expect(inner.callCount).toBe(2);
    expect((await runtime.executions.get(execution!.id)).status).toBe('completed');
    expect((await runtime.executions.waits(execution!.id))[0]!.resolvedBy).toBe('langgraph');
    // No record of the turn failed, not even on purpose: a normal run shows no failed checkpoint.
    const records = await runtime.executions.checkpoints(execution!.id);
    expect(records.map((record) => [record.id, record.status])).toEqual([
      ['langgraph:1', 'completed'],
      ['langgraph:1/langgraph.start:1', 'completed'],
      ['langgraph:1/model:write@1#1', 'completed'],
      ['langgraph:1/model:write@1#2', 'completed'],
      [`langgraph:1/write:${interruptsOf(first)[0]!.id}`, 'completed'],
    ]);
  });

  test('several pending interrupts each get their own wait, answered by name, by id, or together', async () => {
    const node = (name: string) => async () => ({ messages: [new AIMessage(`${name}: ${JSON.stringify(interrupt(`${name}?`))}`)] });
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('legal', node('legal'))
        .addNode('editor', node('editor'))
        .addEdge(START, 'legal')
        .addEdge(START, 'editor')
        .addEdge('legal', END)
        .addEdge('editor', END)
        .compile(),
      { runtime },
    );
    const first = await graph.invoke({ messages: [new HumanMessage('review')] }, thread('r'));
    const byValue = Object.fromEntries(interruptsOf(first).map((item) => [item.value as string, item.id]));
    expect(Object.keys(byValue).sort()).toEqual(['editor?', 'legal?']);
    const [execution] = await graph.keel.executions('r');
    expect((await runtime.executions.waits(execution!.id)).map((wait) => wait.name).sort()).toEqual(['editor', 'legal']);

    // One value for two questions is refused, as LangGraph refuses it.
    await expect(graph.invoke(new Command({ resume: 'ok' }), thread('r'))).rejects.toThrow(InterruptResumeAmbiguousError);

    // One answer through Keel (as the CLI gives it): the run still waits for the other.
    await runtime.executions.input(execution!.id, 'legal', 'cleared');
    const partial = await runtime.executions.resume(execution!.id);
    expect(partial.status).toBe('waiting');
    expect(partial.waits!.map((wait) => wait.name)).toEqual(['editor']);
    // Answering the answered one again changes nothing (LangGraph ignores consumed interrupt ids too).
    const again = await graph.invoke(new Command({ resume: { [byValue['legal?']!]: 'cleared again' } }), thread('r'));
    expect(interruptsOf(again).map((item) => item.value)).toEqual(['editor?']);

    const done = await graph.invoke(new Command({ resume: { [byValue['editor?']!]: 'approved' } }), thread('r'));
    expect(contents(done).slice(1).sort()).toEqual(['editor: "approved"', 'legal: "cleared"']);
  });

  test('a node that asks twice gets a wait per question; calls before them run once', async () => {
    const inner = scriptedModel('facts');
    const model = durableChatModel(inner);
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('ask', async (state) => {
          const facts = await model.invoke(state.messages);
          const title = interrupt('Title?');
          const tone = interrupt('Tone?');
          return { messages: [facts, new AIMessage(`${title} / ${tone}`)] };
        })
        .addEdge(START, 'ask')
        .addEdge('ask', END)
        .compile(),
      { runtime },
    );
    const first = await graph.invoke({ messages: [new HumanMessage('go')] }, thread('q'));
    expect(interruptsOf(first).map((item) => item.value)).toEqual(['Title?']);
    const second = await graph.invoke(new Command({ resume: 'Keel' }), thread('q'));
    expect(interruptsOf(second).map((item) => item.value)).toEqual(['Tone?']);
    expect(interruptsOf(second)[0]!.id).not.toBe(interruptsOf(first)[0]!.id);
    const third = await graph.invoke(new Command({ resume: 'calm' }), thread('q'));
    expect(contents(third)).toEqual(['go', 'facts', 'Keel / calm']);
    expect(inner.callCount).toBe(1);
    const [execution] = await graph.keel.executions('q');
    expect((await runtime.executions.waits(execution!.id)).map((wait) => [wait.id, wait.input])).toEqual([
      [`langgraph:1/ask:${interruptsOf(first)[0]!.id}`, 'Keel'],
      [`langgraph:1/ask:${interruptsOf(second)[0]!.id}`, 'calm'],
    ]);
    expect((await runtime.executions.checkpoints(execution!.id)).filter((record) => record.status === 'failed')).toEqual([]);
  });

  test('interrupt() inside a tool: the tool runs again with the answer; the calls before it do not', async () => {
    let sideEffects = 0;
    const publish = tool(
      async ({ title }) => {
        const approved = interrupt<string, boolean>(`Publish "${title}"?`);
        if (approved) sideEffects += 1;
        return approved ? `published ${title}` : 'not published';
      },
      { name: 'publish', description: 'Publish a brief.', schema: z.object({ title: z.string() }) },
    );
    const inner = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'publish', args: { title: 'Keel' } }] }))
      .respond(new AIMessage('done'));
    const tools = durableTools([publish]);
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
    const first = await graph.invoke({ messages: [new HumanMessage('publish it')] }, thread('t'));
    expect(interruptsOf(first).map((item) => item.value)).toEqual(['Publish "Keel"?']);
    const done = await graph.invoke(new Command({ resume: true }), thread('t'));
    expect(contents(done)).toEqual(['publish it', '', 'published Keel', 'done']);
    expect(inner.callCount).toBe(2);
    expect(sideEffects).toBe(1);
    const [execution] = await graph.keel.executions('t');
    const records = await runtime.executions.checkpoints(execution!.id);
    // The interrupted attempt and the answered one are two records of the same tool call.
    expect(records.filter((record) => record.kind === 'tool').map((record) => [record.id.split('/').at(-1), record.status])).toEqual([
      ['publish:tools@2:call_1', 'completed'],
      ['publish:tools@2:call_1+1', 'completed'],
    ]);
  });

  test("createAgent with langchain's human-in-the-loop middleware: approval resumes without repeating calls", async () => {
    let sent = 0;
    const sendEmail = tool(
      async ({ to }) => {
        sent += 1;
        return `sent to ${to}`;
      },
      { name: 'send_email', description: 'Send an e-mail.', schema: z.object({ to: z.string() }) },
    );
    const inner = fakeModel()
      .respond(new AIMessage({ content: '', tool_calls: [{ id: 'call_9', name: 'send_email', args: { to: 'ada@example.com' } }] }))
      .respond(new AIMessage('E-mail sent.'));
    const agent = createAgent({
      model: durableChatModel(inner),
      tools: durableTools([sendEmail]),
      middleware: [humanInTheLoopMiddleware({ interruptOn: { send_email: { allowedDecisions: ['approve', 'reject'] } } })],
    });
    const graph = durableGraph(agent, { runtime, name: 'mailer' });
    const first = await graph.invoke({ messages: [new HumanMessage('mail Ada')] }, thread('m'));
    expect(interruptsOf(first)).toHaveLength(1);
    const [execution] = await graph.keel.executions('m');
    const [wait] = await runtime.executions.waits(execution!.id);
    expect(wait!.question).toContain('send_email');
    expect(sent).toBe(0);

    const done = await graph.invoke(new Command({ resume: { decisions: [{ type: 'approve' }] } }), thread('m'));
    expect(contents(done).at(-1)).toBe('E-mail sent.');
    expect(sent).toBe(1);
    expect(inner.callCount).toBe(2);
  });
});

describe('turns of a thread', () => {
  test('new input on a waiting thread replaces the waiting turn, as in LangGraph', async () => {
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('gate', async (state) => {
          const last = state.messages.at(-1)!.content;
          if (last === 'ask me') return { messages: [new AIMessage(`answer: ${interrupt('Which?')}`)] };
          return { messages: [new AIMessage(`echo: ${last}`)] };
        })
        .addEdge(START, 'gate')
        .addEdge('gate', END)
        .compile(),
      { runtime },
    );
    await graph.invoke({ messages: [new HumanMessage('ask me')] }, thread('n'));
    const [waiting] = await graph.keel.executions('n');
    expect(waiting!.status).toBe('waiting');
    const result = await graph.invoke({ messages: [new HumanMessage('never mind')] }, thread('n'));
    expect(contents(result).at(-1)).toBe('echo: never mind');
    const executions = await graph.keel.executions('n');
    expect(executions.map((execution) => execution.status)).toEqual(['completed', 'cancelled']);
  });

  test('a failed turn is retried by the same call, with its completed calls reused', async () => {
    let failures = 1;
    const flaky = tool(
      async () => {
        if (failures-- > 0) throw new Error('search backend down');
        return 'news';
      },
      { name: 'search', description: 'Search.', schema: z.object({}) },
    );
    const inner = fakeModel();
    for (let index = 0; index < 4; index++) {
      inner.respond((messages) =>
        messages.at(-1)!.getType() === 'human'
          ? new AIMessage({ content: '', tool_calls: [{ id: `call_${index}`, name: 'search', args: {} }] })
          : new AIMessage(`summary of ${messages.at(-1)!.content}`),
      );
    }
    const tools = durableTools([flaky]);
    const model = durableChatModel(inner).bindTools(tools);
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
        .addNode('tools', new ToolNode(tools, { handleToolErrors: false }))
        .addEdge(START, 'agent')
        .addConditionalEdges('agent', (state) => ((state.messages.at(-1) as AIMessage).tool_calls?.length ? 'tools' : END))
        .addEdge('tools', 'agent')
        .compile(),
      { runtime },
    );
    const input = { messages: [new HumanMessage('news?')] };
    await expect(graph.invoke(input, thread('f'))).rejects.toThrow('search backend down');
    expect(inner.callCount).toBe(1);
    const retried = await graph.invoke(input, thread('f'));
    expect(contents(retried).at(-1)).toBe('summary of news');
    expect(inner.callCount).toBe(2);
    const [execution] = await graph.keel.executions('f');
    expect(execution!.sessions).toBe(2);

    const next = await graph.invoke({ messages: [new HumanMessage('more?')] }, thread('f'));
    expect(contents(next).slice(-4)).toEqual(['more?', '', 'news', 'summary of news']);
    expect((await graph.keel.executions('f')).map((record) => record.status)).toEqual(['completed', 'completed']);
  });

  test('a turn that stops at a static breakpoint after failing twice is retried without a divergence', async () => {
    // Each session asks whether an earlier one stopped at the thread's newest checkpoint, which has
    // moved on since: the questions are identified by checkpoint, not by their position.
    // a fails in the first session; in the second, a succeeds (the thread moves on) and b fails.
    const failing = new Set(['a', 'b']);
    const ran: string[] = [];
    const node = (name: string) => async () => {
      ran.push(name);
      if (failing.delete(name)) throw new Error(`${name} is down`);
      return { messages: [new AIMessage(name)] };
    };
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('a', node('a'))
        .addNode('b', node('b'))
        .addNode('c', node('c'))
        .addEdge(START, 'a')
        .addEdge('a', 'b')
        .addEdge('b', 'c')
        .addEdge('c', END)
        .compile({ interruptBefore: ['c'] }),
      { runtime },
    );
    const input = { messages: [new HumanMessage('go')] };
    await expect(graph.invoke(input, thread('bp'))).rejects.toThrow('a is down');
    await expect(graph.invoke(input, thread('bp'))).rejects.toThrow('b is down');
    const stopped = await graph.invoke(input, thread('bp'));
    expect(contents(stopped)).toEqual(['go', 'a', 'b']);
    expect(ran).toEqual(['a', 'a', 'b', 'b']);
    const [execution] = await graph.keel.executions('bp');
    expect([execution!.status, execution!.sessions]).toEqual(['completed', 3]);
    const stops = (await runtime.executions.checkpoints(execution!.id)).filter((record) => record.name === 'langgraph.stop');
    expect(stops.map((record) => [record.output, record.ordered])).toEqual([
      [false, false],
      [false, false],
      [true, false],
    ]);

    // As in LangGraph, invoke(null) continues past the breakpoint, as a new turn.
    expect(contents(await graph.invoke(null, thread('bp')))).toEqual(['go', 'a', 'b', 'c']);
  });

  test('other input after a failed turn starts a new turn and leaves the failed one as it was', async () => {
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('check', async (state) => {
          const last = String(state.messages.at(-1)!.content);
          if (last.startsWith('bad')) throw new Error(`cannot handle "${last}"`);
          return { messages: [new AIMessage(`ok: ${last}`)] };
        })
        .addEdge(START, 'check')
        .addEdge('check', END)
        .compile(),
      { runtime },
    );
    await expect(graph.invoke({ messages: [new HumanMessage('bad input')] }, thread('g'))).rejects.toThrow('cannot handle');
    const result = await graph.invoke({ messages: [new HumanMessage('good input')] }, thread('g'));
    expect(contents(result).at(-1)).toBe('ok: good input');
    // The failed turn keeps its status and error; it is only no longer the thread's unfinished turn.
    const executions = await graph.keel.executions('g');
    expect(executions.map((execution) => [execution.status, execution.metadata?.['langgraph.replaced'] ?? false])).toEqual([
      ['completed', false],
      ['failed', true],
    ]);
  });
});
