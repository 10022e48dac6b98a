import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { mcpTools } from '@anthropic-ai/sdk/helpers/beta/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createRuntime, lowdbStore, wait, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnthropic, durableTool } from '@keel/adapter-raw';

const serverScript = new URL('./fixtures/calculator-mcp-server.mjs', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace() {
  const folder = mkdtempSync(join(tmpdir(), 'keel-raw-mcp-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return { store: join(folder, '.keel'), callsLog: join(folder, 'mcp-calls.log') };
}

/** Starts the calculator as a real stdio MCP server process and connects a client to it. */
async function connectCalculator(callsLog: string): Promise<Client> {
  const client = new Client({ name: 'keel-raw-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [serverScript], env: { MCP_CALLS_LOG: callsLog } }));
  return client;
}

/** The server's tools as the SDK's MCP helpers make them, each made durable. */
async function durableMcpTools(mcp: Client) {
  // The MCP SDK's `callTool` result type is wider than the helper's structural one (it also allows a legacy shape).
  return mcpTools((await mcp.listTools()).tools, mcp as Parameters<typeof mcpTools>[1]).map((tool) => durableTool(tool));
}

function serverCalls(callsLog: string): unknown[] {
  return existsSync(callsLog)
    ? readFileSync(callsLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
}

/** A runtime on a lowdb folder, an MCP server process, and the durable Anthropic client on the fake LLM: one "process" of the agent. */
async function startAgentProcess(store: string, callsLog: string, fake: FakeLLM) {
  const runtime: Runtime = createRuntime({ store: lowdbStore(store) });
  const mcp = await connectCalculator(callsLog);
  const client = durableAnthropic(new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries: 0 }));
  return {
    runtime,
    mcp,
    client,
    async stop() {
      await mcp.close();
      await runtime.close();
    },
  };
}

describe('MCP calls through a real stdio MCP server', () => {
  it('SDK mcpTools in the tool runner: recorded as mcp, and not called again when a new server process resumes the run', async () => {
    const { store, callsLog } = workspace();
    const fake = await startFakeLLM({
      script: [
        { toolCalls: [{ name: 'multiply', arguments: { a: 6, b: 7 } }] },
        (request) => `The product is ${request.body.messages.at(-1).content[0].content[0].text}`,
      ],
    });
    cleanups.push(() => fake.stop());
    const defineAgent = (agent: Awaited<ReturnType<typeof startAgentProcess>>, tools: Awaited<ReturnType<typeof durableMcpTools>>) =>
      agent.runtime.flow('calculate', async () => {
        const final = await agent.client.beta.messages.toolRunner({
          model: 'claude-test',
          max_tokens: 100,
          messages: [{ role: 'user', content: '6 × 7?' }],
          tools,
        });
        const answer = (final.content[0] as { text: string }).text;
        const publish = await wait('publish', { schema: z.boolean() });
        return publish ? answer : 'kept';
      });

    // The first process runs to the wait after the model's final answer, then stops, MCP server and all.
    const first = await startAgentProcess(store, callsLog, fake);
    const firstTools = await durableMcpTools(first.mcp);
    const waiting = await defineAgent(first, firstTools).run(undefined);
    expect(waiting.status).toBe('waiting');
    expect(serverCalls(callsLog)).toEqual([{ a: 6, b: 7 }]);
    const records = await first.runtime.executions.checkpoints(waiting.executionId);
    expect(records.map((record) => [record.id, record.kind, record.status])).toEqual([
      ['model:1', 'model', 'completed'],
      ['multiply:toolu_1', 'mcp', 'completed'],
      ['model:2', 'model', 'completed'],
      ['publish:1', 'wait', 'waiting'],
    ]);
    expect(records[1]!.input).toEqual({ a: 6, b: 7 });
    await first.runtime.executions.input(waiting.executionId, 'publish', true);
    await first.stop();

    // A second process, with a new MCP server process, resumes: the MCP call and both model calls are reused.
    const second = await startAgentProcess(store, callsLog, fake);
    cleanups.push(() => second.stop());
    const secondTools = await durableMcpTools(second.mcp);
    defineAgent(second, secondTools);
    const resumed = await second.runtime.executions.resume(waiting.executionId);
    expect(resumed).toMatchObject({ status: 'completed', output: 'The product is 42' });
    expect(serverCalls(callsLog)).toEqual([{ a: 6, b: 7 }]);
    expect(fake.requests).toHaveLength(2);
  });

  it('a hand-written loop calling client.callTool through durableTool(kind mcp): the server runs each call once across a resume', async () => {
    const { store, callsLog } = workspace();
    const fake = await startFakeLLM({
      script: [
        {
          toolCalls: [
            { name: 'multiply', arguments: { a: 3, b: 5 } },
            { name: 'multiply', arguments: { a: 2, b: 8 } },
          ],
        },
        'Both products are in.',
      ],
    });
    cleanups.push(() => fake.stop());
    const tools: Anthropic.Tool[] = [
      { name: 'multiply', input_schema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
    ];
    const defineAgent = (agent: Awaited<ReturnType<typeof startAgentProcess>>) => {
      const multiply = durableTool('multiply', (input: { a: number; b: number }) => agent.mcp.callTool({ name: 'multiply', arguments: input }), {
        kind: 'mcp',
      });
      return agent.runtime.flow('loop', async () => {
        const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Multiply 3 × 5 and 2 × 8.' }];
        for (;;) {
          const message = await agent.client.messages.create({ model: 'claude-test', max_tokens: 100, tools, messages });
          messages.push({ role: 'assistant', content: message.content });
          if (message.stop_reason !== 'tool_use') break;
          const results: Anthropic.ToolResultBlockParam[] = [];
          for (const block of message.content) {
            if (block.type !== 'tool_use') continue;
            const result = (await multiply(block.input as { a: number; b: number }, block)) as { content: { type: 'text'; text: string }[] };
            results.push({ type: 'tool_result', tool_use_id: block.id, content: result.content });
          }
          messages.push({ role: 'user', content: results });
        }
        const products = messages.flatMap((message) =>
          Array.isArray(message.content)
            ? message.content.flatMap((block) => (block.type === 'tool_result' ? [(block.content as { text: string }[])[0]!.text] : []))
            : [],
        );
        const approved = await wait('approve', { schema: z.boolean() });
        return approved ? products : [];
      });
    };

    const first = await startAgentProcess(store, callsLog, fake);
    const waiting = await defineAgent(first).run(undefined);
    expect(waiting.status).toBe('waiting');
    const records = await first.runtime.executions.checkpoints(waiting.executionId);
    expect(records.filter((record) => record.kind === 'mcp').map((record) => [record.name, record.input, record.status])).toEqual([
      ['multiply', { a: 3, b: 5 }, 'completed'],
      ['multiply', { a: 2, b: 8 }, 'completed'],
    ]);
    await first.runtime.executions.input(waiting.executionId, 'approve', true);
    await first.stop();

    const second = await startAgentProcess(store, callsLog, fake);
    cleanups.push(() => second.stop());
    defineAgent(second);
    const resumed = await second.runtime.executions.resume(waiting.executionId);
    expect(resumed).toMatchObject({ status: 'completed', output: ['15', '16'] });
    expect(serverCalls(callsLog)).toEqual([
      { a: 3, b: 5 },
      { a: 2, b: 8 },
    ]);
    expect(fake.requests).toHaveLength(2);
  });
});
