import { createServer, type Server } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { mcpTools } from '@anthropic-ai/sdk/helpers/beta/mcp';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { ToolError } from '@anthropic-ai/sdk/lib/tools/ToolError';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createRuntime, memoryStore, wait, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { durable, durableAnthropic, durableContext, durableTool, type ToolCallContext } from '@keel/adapter-raw';
import { expectedSummary, newsReply } from './fixtures/news-script.js';

let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;
const closers: (() => Promise<unknown>)[] = [];

async function setup(script: Parameters<typeof startFakeLLM>[0]['script']) {
  fake = await startFakeLLM({ script });
  runtime = createRuntime({ store: memoryStore() });
  return { fake, runtime, client: durableAnthropic(new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries: 0 })) };
}

afterEach(async () => {
  await fake?.stop();
  await runtime?.close();
  for (const close of closers.splice(0)) await close();
  fake = undefined;
  runtime = undefined;
});

const newsTools = [{ name: 'search_news', input_schema: { type: 'object' as const, properties: { query: { type: 'string' } } } }];

describe('durableTool in a hand-written loop', () => {
  it('keys each call by its tool_use id, scoped so a reused id in a later turn is a call of its own', async () => {
    const { fake, runtime, client } = await setup(Array(3).fill(newsReply));
    const contexts: ToolCallContext[] = [];
    const search = durableTool('search_news', (input: { query: string }, context) => {
      contexts.push(context);
      return `headlines about ${input.query}`;
    });
    const agent = runtime.flow('news', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'News?' }];
      for (;;) {
        const message = await client.messages.create({ model: 'claude-test', max_tokens: 100, tools: newsTools, messages });
        messages.push({ role: 'assistant', content: message.content });
        if (message.stop_reason !== 'tool_use') return (message.content[0] as Anthropic.TextBlock).text;
        const toolUses = message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
        const results = await Promise.all(
          toolUses.map(async (block) => ({
            type: 'tool_result' as const,
            tool_use_id: block.id,
            content: await search(block.input as { query: string }, block),
          })),
        );
        messages.push({ role: 'user', content: results });
      }
    });
    const live = await agent.run(undefined);
    expect(live.output).toBe(expectedSummary);
    expect(contexts.map((context) => [context.toolUseId, context.checkpointId, context.idempotencyKey])).toEqual([
      ['toolu_01', 'search_news:toolu_01', `${live.executionId}:search_news:toolu_01`],
      ['toolu_02', 'search_news:toolu_02', `${live.executionId}:search_news:toolu_02`],
      ['toolu_01', 'search_news:toolu_01~2', `${live.executionId}:search_news:toolu_01~2`],
    ]);
    const records = await runtime.executions.checkpoints(live.executionId);
    expect(records.filter((record) => record.kind === 'tool').map((record) => [record.id, record.output, record.metadata])).toEqual([
      ['search_news:toolu_01', 'headlines about keel', { tool: 'search_news', toolUseId: 'toolu_01' }],
      ['search_news:toolu_02', 'headlines about rust', { tool: 'search_news', toolUseId: 'toolu_02' }],
      ['search_news:toolu_01~2', 'headlines about durable', { tool: 'search_news', toolUseId: 'toolu_01' }],
    ]);

    const replayed = await agent.replay(live.executionId);
    expect(replayed.output).toBe(expectedSummary);
    expect(contexts).toHaveLength(3);
    expect(fake.requests).toHaveLength(3);
  });

  it('parallel calls that finish in another order than they started still replay by id', async () => {
    const { runtime } = await setup([]);
    let runs = 0;
    const slowFirst = durableTool('lookup', async (input: { delay: number; value: string }) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, input.delay));
      return input.value;
    });
    const agent = runtime.flow('parallel-tools', async () =>
      Promise.all([
        slowFirst({ delay: 30, value: 'a' }, 'toolu_a'),
        slowFirst({ delay: 1, value: 'b' }, { id: 'toolu_b' }),
        slowFirst({ delay: 1, value: 'c' }, { toolUseId: 'toolu_c' }),
      ]),
    );
    const live = await agent.run(undefined);
    const replayed = await agent.replay(live.executionId);
    expect(live.output).toEqual(['a', 'b', 'c']);
    expect(replayed.output).toEqual(['a', 'b', 'c']);
    expect(runs).toBe(3);
    expect((await runtime.executions.checkpoints(live.executionId)).map((record) => record.id)).toEqual(['lookup:toolu_a', 'lookup:toolu_b', 'lookup:toolu_c']);
  });

  it('outside a flow a durable tool simply runs', async () => {
    const echo = durableTool('echo', (input: string, context) => `${input} ${context.toolUseId}`);
    expect(await echo('hi', 'toolu_9')).toBe('hi toolu_9');
    expect(echo.toolName).toBe('echo');
  });
});

describe('runnable tools for the SDK tool runner', () => {
  it("a ToolError is replayed as a ToolError, so the model's tool_result is the same and the tool does not run again", async () => {
    const { fake, runtime, client } = await setup([
      { toolCalls: [{ name: 'divide', arguments: { a: 1, b: 0 } }] },
      (request) => `Noted: ${JSON.stringify(request.body.messages.at(-1).content[0])}`,
    ]);
    let runs = 0;
    const divide = durableTool(
      betaZodTool({
        name: 'divide',
        description: 'Divides a by b',
        inputSchema: z.object({ a: z.number(), b: z.number() }),
        run: ({ a, b }) => {
          runs++;
          if (b === 0) throw new ToolError([{ type: 'text', text: 'division by zero' }]);
          return String(a / b);
        },
      }),
    );
    const agent = runtime.flow('divider', async () => {
      const runner = client.beta.messages.toolRunner({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Divide 1 by 0' }],
        tools: [divide],
      });
      const final = await runner.runUntilDone();
      await wait('continue', { schema: z.boolean() });
      return { final: final.content, messages: runner.params.messages };
    });
    const first = await agent.run(undefined);
    expect(first.status).toBe('waiting');
    const [failed] = (await runtime.executions.checkpoints(first.executionId)).filter((record) => record.kind === 'tool');
    expect(failed).toMatchObject({ id: 'divide:toolu_1', status: 'failed' });

    await runtime.executions.input(first.executionId, 'continue', true);
    const resumed = await agent.resume(first.executionId);
    expect(resumed.status).toBe('completed');
    const toolResult = { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'division by zero' }], is_error: true };
    // What the model got the first time, and what the resumed runner rebuilt from the replayed ToolError.
    expect(fake.requests[1]!.body.messages.at(-1)).toEqual({ role: 'user', content: [toolResult] });
    expect(resumed.output!.messages.at(-2)).toEqual({ role: 'user', content: [toolResult] });
    expect(runs).toBe(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('MCP tools from the SDK helpers are checkpoints of kind mcp; the MCP server runs each call once', async () => {
    const server = new McpServer({ name: 'calculator', version: '1.0.0' });
    let serverCalls = 0;
    server.registerTool('multiply', { description: 'Multiplies', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
      serverCalls++;
      return { content: [{ type: 'text', text: String(a * b) }] };
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const mcp = new Client({ name: 'keel-test', version: '1.0.0' });
    await mcp.connect(clientTransport);
    closers.push(
      () => mcp.close(),
      () => server.close(),
    );

    // The MCP SDK's `callTool` result type is wider than the helper's structural one (it also allows a legacy shape).
    const tools = mcpTools((await mcp.listTools()).tools, mcp as Parameters<typeof mcpTools>[1]).map((tool) => durableTool(tool));
    const { fake, runtime, client } = await setup([
      { toolCalls: [{ name: 'multiply', arguments: { a: 6, b: 7 } }] },
      (request) => `The product is ${request.body.messages.at(-1).content[0].content[0].text}`,
    ]);
    const agent = runtime.flow('mcp', async () => {
      const final = await client.beta.messages.toolRunner({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: '6 × 7?' }], tools });
      return (final.content[0] as { text: string }).text;
    });
    const live = await agent.run(undefined);
    expect(live.output).toBe('The product is 42');
    const replayed = await agent.replay(live.executionId);
    expect(replayed.output).toBe('The product is 42');
    expect(serverCalls).toBe(1);
    expect(fake.requests).toHaveLength(2);
    const records = await runtime.executions.checkpoints(live.executionId);
    expect(records.map((record) => [record.id, record.kind])).toEqual([
      ['model:1', 'model'],
      ['multiply:toolu_1', 'mcp'],
      ['model:2', 'model'],
    ]);
  });
});

describe('durable(name, fn) for any other client', () => {
  async function countingServer() {
    const seen: { path: string; idempotencyKey: string | undefined }[] = [];
    const server: Server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', idempotencyKey: request.headers['idempotency-key'] as string | undefined });
      response.writeHead(201, { 'content-type': 'application/json', 'x-order': String(seen.length) });
      response.end(JSON.stringify({ created: request.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address() as { port: number };
    return { seen, url: `http://127.0.0.1:${address.port}` };
  }

  it('fetch: the Response is recorded and replayed, and the call can pass its idempotency key', async () => {
    const { seen, url } = await countingServer();
    const runtime = createRuntime({ store: memoryStore() });
    closers.push(() => runtime.close());
    const post = durable('create_order', (path: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'idempotency-key': durableContext()?.idempotencyKey ?? 'none' } }),
    );
    const agent = runtime.flow('orders', async () => {
      const response = await post('/orders/7');
      return { status: response.status, order: response.headers.get('x-order'), body: await response.json() };
    });
    const live = await agent.run(undefined);
    expect(live.output).toEqual({ status: 201, order: '1', body: { created: '/orders/7' } });
    const replayed = await agent.replay(live.executionId);
    expect(replayed.output).toEqual(live.output);
    expect(seen).toEqual([{ path: '/orders/7', idempotencyKey: `${live.executionId}:create_order:1` }]);
    expect(durableContext()).toBeUndefined();
  });

  it('any function, with a key of its own and a fingerprint of its arguments', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    closers.push(() => runtime.close());
    let calls = 0;
    const completions = { create: async (params: { model: string; prompt: string }) => ({ id: `cmpl_${++calls}`, text: params.prompt.toUpperCase() }) };
    const complete = durable('openai.completions', (params: { model: string; prompt: string }) => completions.create(params), {
      kind: 'model',
      key: (params) => params.prompt,
    });
    const agent = runtime.flow('other-client', async () => [
      await complete({ model: 'gpt-test', prompt: 'hi' }),
      await complete({ model: 'gpt-test', prompt: 'yo' }),
    ]);
    const live = await agent.run(undefined);
    const replayed = await agent.replay(live.executionId);
    expect(replayed.output).toEqual(live.output);
    expect(calls).toBe(2);
    const records = await runtime.executions.checkpoints(live.executionId);
    expect(records.map((record) => [record.id, record.kind, record.input])).toEqual([
      ['openai.completions:hi', 'model', [{ model: 'gpt-test', prompt: 'hi' }]],
      ['openai.completions:yo', 'model', [{ model: 'gpt-test', prompt: 'yo' }]],
    ]);
  });
});
