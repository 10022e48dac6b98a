import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blobReferences, createRuntime, lowdbStore, memoryStore } from '@keel/core';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { Command, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import { afterEach, expect, test } from 'vitest';
import { KeelCheckpointSaver, durableGraph } from '@keel/adapter-langgraph';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lg-saver-'));
  dirs.push(dir);
  return dir;
}

function approvalGraph(saver: KeelCheckpointSaver) {
  return new StateGraph(MessagesAnnotation)
    .addNode('draft', async () => ({ messages: [new AIMessage('draft v1')] }))
    .addNode('approve', async () => ({ messages: [new AIMessage(`approved: ${String(interrupt('Approve the draft?'))}`)] }))
    .addEdge(START, 'draft')
    .addEdge('draft', 'approve')
    .addEdge('approve', END)
    .compile({ checkpointer: saver });
}

test('graph state lives in the Keel store and moves with it: a copied store folder continues the thread', async () => {
  const original = tempDir();
  const store = lowdbStore(original);
  const config = { configurable: { thread_id: 'copy-me' } };
  const first = await approvalGraph(new KeelCheckpointSaver({ store })).invoke({ messages: [new HumanMessage('write')] }, config);
  expect((first as { __interrupt__?: unknown[] }).__interrupt__).toHaveLength(1);
  await store.close();

  const copy = tempDir();
  fs.cpSync(original, copy, { recursive: true });
  fs.rmSync(original, { recursive: true, force: true });
  const copied = lowdbStore(copy);
  try {
    const graph = approvalGraph(new KeelCheckpointSaver({ store: copied }));
    const state = await graph.getState(config);
    expect(state.next).toEqual(['approve']);
    expect(state.tasks[0]!.interrupts.map((item) => item.value)).toEqual(['Approve the draft?']);
    const done = (await graph.invoke(new Command({ resume: 'yes' }), config)) as { messages: BaseMessage[] };
    expect(done.messages.map((message) => message.content)).toEqual(['write', 'draft v1', 'approved: yes']);

    // The thread is an execution of its own, its checkpoints artifacts that any Keel surface lists.
    const runtime = createRuntime({ store: copied });
    const [holder] = await runtime.executions.list({ flow: 'langgraph:thread' });
    expect(holder!.metadata?.['langgraph.thread_id']).toBe('copy-me');
    const artifacts = await runtime.executions.artifacts(holder!.id);
    const checkpoints = artifacts.filter((artifact) => artifact.type === 'application/vnd.langgraph.checkpoint+json');
    expect(checkpoints.length).toBeGreaterThanOrEqual(4);
    expect(checkpoints.every((artifact) => /^langgraph\/[0-9a-f-]{36}$/.test(artifact.name))).toBe(true);
  } finally {
    await copied.close();
  }
});

test('deleteThread forgets every checkpoint of the thread, and only of that thread', async () => {
  const store = memoryStore();
  const saver = new KeelCheckpointSaver({ store });
  const graph = approvalGraph(saver);
  await graph.invoke({ messages: [new HumanMessage('one')] }, { configurable: { thread_id: 'a' } });
  await graph.invoke({ messages: [new HumanMessage('two')] }, { configurable: { thread_id: 'b' } });
  await saver.deleteThread('a');
  expect(await saver.getTuple({ configurable: { thread_id: 'a' } })).toBeUndefined();
  const left: string[] = [];
  for await (const tuple of saver.list({ configurable: {} })) left.push(tuple.config.configurable!['thread_id'] as string);
  expect(new Set(left)).toEqual(new Set(['b']));
  expect((await graph.getState({ configurable: { thread_id: 'b' } })).next).toEqual(['approve']);
  await store.close();
});

test('durableGraph gives a graph without a checkpointer a KeelCheckpointSaver on its runtime', async () => {
  const runtime = createRuntime({ store: memoryStore() });
  const compiled = new StateGraph(MessagesAnnotation)
    .addNode('echo', async (state) => ({ messages: [new AIMessage(`echo: ${String(state.messages.at(-1)!.content)}`)] }))
    .addEdge(START, 'echo')
    .addEdge('echo', END)
    .compile();
  const graph = durableGraph(compiled, { runtime });
  expect(compiled.checkpointer).toBeInstanceOf(KeelCheckpointSaver);
  await graph.invoke({ messages: [new HumanMessage('hi')] }, { configurable: { thread_id: 'e' } });
  const second = (await graph.invoke({ messages: [new HumanMessage('again')] }, { configurable: { thread_id: 'e' } })) as { messages: BaseMessage[] };
  // The second turn saw the first: the state came back from the Keel store.
  expect(second.messages.map((message) => message.content)).toEqual(['hi', 'echo: hi', 'again', 'echo: again']);
  expect((await runtime.executions.list({ flow: 'langgraph:thread' })).map((execution) => execution.metadata?.['langgraph.thread_id'])).toEqual(['e']);
  await runtime.close();
});

test('a long thread stores each message once: the messages channel is kept as the version before plus what was appended', async () => {
  const store = memoryStore();
  const saver = new KeelCheckpointSaver({ store });
  const steps = 40;
  let step = 0;
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('talk', async () => ({ messages: [new AIMessage(`answer ${step++} `.padEnd(1_000, '.'))] }))
    .addEdge(START, 'talk')
    .addConditionalEdges('talk', () => (step < steps ? 'talk' : END))
    .compile({ checkpointer: saver });
  const config = { configurable: { thread_id: 'long' }, recursionLimit: steps + 5 };
  const done = (await graph.invoke({ messages: [new HumanMessage('go')] }, config)) as { messages: BaseMessage[] };
  expect(done.messages).toHaveLength(steps + 1);

  // Every blob the thread's records refer to (channel values, their chains), each once.
  const runtime = createRuntime({ store });
  const [holder] = await runtime.executions.list({ flow: 'langgraph:thread' });
  const artifacts = await store.listArtifacts(holder!.id);
  const seen = new Map<string, number>();
  let pending = artifacts.map((artifact) => artifact.payload.hash);
  while (pending.length > 0) {
    const next: string[] = [];
    for (const hash of pending) {
      if (seen.has(hash)) continue;
      const text = (await store.getBlob(hash))!;
      seen.set(hash, text.length);
      next.push(...blobReferences(text));
    }
    pending = next;
  }
  const stored = [...seen.values()].reduce((sum, bytes) => sum + bytes, 0);
  const messagesOnce = JSON.stringify(done.messages).length;
  // Each version whole would be ~steps / 2 times the messages; kept as a chain, a few times them.
  expect(stored).toBeLessThan(6 * messagesOnce);
  // And the last checkpoint reads back whole.
  const state = await graph.getState(config);
  expect((state.values as { messages: BaseMessage[] }).messages.map((message) => message.content)).toEqual(done.messages.map((message) => message.content));
});
