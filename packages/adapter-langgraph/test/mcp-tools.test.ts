import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, memoryStore } from '@keel/core';
import { AIMessage, HumanMessage, type BaseMessage, type ToolMessage } from '@langchain/core/messages';
import { Command, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { expect, test } from 'vitest';
import { durableGraph, durableTools } from '@keel/adapter-langgraph';

test('MCP tools from @langchain/mcp-adapters are recorded as mcp calls and not called again on resume', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lg-mcp-'));
  const callsLog = path.join(dir, 'calls.log');
  const server = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mcp-server.mjs');
  const client = new MultiServerMCPClient({
    mcpServers: { newsroom: { transport: 'stdio', command: process.execPath, args: [server], env: { MCP_CALLS_LOG: callsLog } } },
  });
  const runtime = createRuntime({ store: memoryStore() });
  try {
    const [countWords] = durableTools(await client.getTools());
    // The node calls the MCP tool and then asks; resuming runs the whole node again.
    const graph = durableGraph(
      new StateGraph(MessagesAnnotation)
        .addNode('check', async () => {
          const counted = (await countWords!.invoke({
            id: 'call_1',
            name: countWords!.name,
            args: { text: 'Keel keeps agent runs' },
            type: 'tool_call',
          })) as ToolMessage;
          const publish = interrupt(`The brief has ${String(counted.content)} words. Publish?`);
          return { messages: [counted, new AIMessage(`publish: ${String(publish)}`)] };
        })
        .addEdge(START, 'check')
        .addEdge('check', END)
        .compile(),
      { runtime },
    );
    const config = { configurable: { thread_id: 'mcp' } };
    const first = (await graph.invoke({ messages: [new HumanMessage('count the words')] }, config)) as unknown as { __interrupt__: { value: string }[] };
    expect(first.__interrupt__.map((item) => item.value)).toEqual(['The brief has 4 words. Publish?']);
    const done = (await graph.invoke(new Command({ resume: 'yes' }), config)) as { messages: BaseMessage[] };
    expect(done.messages.map((message) => message.content)).toEqual(['count the words', '4', 'publish: yes']);
    // The server served the call once, although the node ran twice.
    expect(fs.readFileSync(callsLog, 'utf8').trim().split('\n')).toEqual(['Keel keeps agent runs']);

    const [execution] = await graph.keel.executions('mcp');
    const [call] = (await runtime.executions.checkpoints(execution!.id)).filter((record) => record.kind === 'mcp');
    expect(call!.name).toBe(countWords!.name);
    expect(call!.input).toEqual({ text: 'Keel keeps agent runs' });
    expect(call!.status).toBe('completed');
  } finally {
    await client.close();
    await runtime.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
