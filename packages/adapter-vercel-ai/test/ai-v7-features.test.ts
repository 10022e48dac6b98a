import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMCPClient } from '@ai-sdk/mcp';
import { StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { generateText, isStepCount, streamText, tool, ToolLoopAgent, wrapLanguageModel } from 'ai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AgentUnsupportedError,
  durable,
  durableMiddleware,
  durableModel,
  durableToolApproval,
  durableTools,
  ModelUnsupportedError,
  ToolSetUnsupportedError,
} from '../src/index.js';
import { comparableParts } from './support/agent-suite.js';
import { lastToolOutput, newsScript } from './support/news-script.js';
import { ai6Sdk, ai7Sdk, deleteFileTool, newsTools } from './support/sdk-under-test.js';

let fake: FakeLLM | undefined;
const folders: string[] = [];

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const prompt = 'Find the most important AI news';
const finalText = 'The most important AI news: https://news.example/2 leads';

describe('durable(agent) on ai 7: MCP, generator tools, granularity, policies', () => {
  it('MCP tools from @ai-sdk/mcp are checkpoints of kind mcp: the stdio server runs each call once across run and replay', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'keel-vercel-mcp-'));
    folders.push(folder);
    const serverLog = join(folder, 'mcp-calls.log');
    writeFileSync(serverLog, '');
    const client = await createMCPClient({
      transport: new StdioMCPTransport({
        command: process.execPath,
        args: [new URL('./fixtures/mcp-server.mjs', import.meta.url).pathname],
        env: { MCP_CALLS_LOG: serverLog },
      }),
    });
    try {
      fake = await startFakeLLM({
        script: [{ toolCalls: [{ name: 'multiply', arguments: { a: 6, b: 7 } }] }, (request: FakeRequest) => `The product is ${lastToolOutput(request)}`],
      });
      const runtime = createRuntime({ store: memoryStore() });
      const agent = durable(new ToolLoopAgent({ model: ai7Sdk.model(fake.url), tools: await client.tools() }));
      const calculate = runtime.flow('calculate', async (text: string) => (await agent.generate({ prompt: text })).text);

      const first = await calculate.run('What is 6 times 7?');
      expect(first.status).toBe('completed');
      expect(first.output).toContain('42');
      const records = await runtime.executions.checkpoints(first.executionId);
      expect(records.find((record) => record.name === 'multiply')).toMatchObject({ kind: 'mcp', id: 'agent:1/multiply:call_1@1', input: { a: 6, b: 7 } });

      const replayed = await calculate.replay(first.executionId);
      expect(replayed.output).toBe(first.output);
      expect(readFileSync(serverLog, 'utf8')).toBe('multiply 6 7\n');
      expect(fake.requests).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it('a generator tool: its preliminary results are recorded and streamed again on replay', async () => {
    fake = await startFakeLLM({
      script: [{ toolCalls: [{ name: 'crawl', arguments: { pages: 3 } }] }, (request: FakeRequest) => `Crawled: ${lastToolOutput(request)}`],
    });
    let runs = 0;
    const crawl = tool({
      description: 'Crawl pages, reporting progress',
      inputSchema: z.object({ pages: z.number() }),
      async *execute({ pages }) {
        runs++;
        for (let page = 1; page <= pages; page++) yield { crawled: page, of: pages };
      },
    });
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ model: ai7Sdk.model(fake.url), tools: { crawl } }));
    const crawlFlow = runtime.flow('crawl', async (text: string) => {
      const result = await agent.stream({ prompt: text });
      const toolResults: unknown[] = [];
      for await (const part of result.stream)
        if (part.type === 'tool-result') toolResults.push({ output: part.output, preliminary: part.preliminary ?? false });
      return { text: await result.text, toolResults };
    });

    const first = await crawlFlow.run('Crawl three pages');
    expect(first.output).toEqual({
      text: 'Crawled: {"crawled":3,"of":3}',
      toolResults: [
        { output: { crawled: 1, of: 3 }, preliminary: true },
        { output: { crawled: 2, of: 3 }, preliminary: true },
        { output: { crawled: 3, of: 3 }, preliminary: true },
        { output: { crawled: 3, of: 3 }, preliminary: false },
      ],
    });
    const replayed = await crawlFlow.replay(first.executionId);
    expect(replayed.output).toEqual(first.output);
    expect(runs).toBe(1);
    expect(fake.requests).toHaveLength(2);
  });

  it("granularity 'turn': a finished generate() is one record whose output is the result; its calls stay as child records", async () => {
    fake = await startFakeLLM({ script: newsScript() });
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ id: 'news-scout', model: ai7Sdk.model(fake.url), tools: newsTools(ai7Sdk, calls) }), { granularity: 'turn' });
    const scout = runtime.flow('scout', async (text: string) => {
      const result = await agent.generate({ prompt: text });
      return {
        text: result.text,
        steps: result.steps.length,
        toolNames: result.steps.flatMap((step) => step.toolCalls.map((call) => call.toolName)),
        usage: result.totalUsage.inputTokens,
      };
    });

    const first = await scout.run(prompt);
    expect(first.output).toEqual({ text: finalText, steps: 4, toolNames: ['searchNews', 'readPage', 'readPage', 'rankStories'], usage: 1000 });
    const records = await runtime.executions.checkpoints(first.executionId);
    const turn = records.find((record) => record.id === 'news-scout:1')!;
    expect(turn).toMatchObject({ kind: 'step', durable: true, metadata: { granularity: 'turn' } });
    expect((turn.output as { text: string }).text).toBe(finalText);
    expect(records.filter((record) => record.parentId === 'news-scout:1')).toHaveLength(8);

    // A replay gets the stored result from the one record: the agent loop does not run at all.
    const replayed = await scout.replay(first.executionId);
    expect(replayed.output).toEqual(first.output);
    expect(fake.requests).toHaveLength(4);
    expect(calls).toHaveLength(4);
  });

  it('capture policy: full keeps (redacted) inputs, metadata keeps only metadata, none keeps neither; outputs are always stored', async () => {
    fake = await startFakeLLM({ script: newsScript() });
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ id: 'news-scout', model: ai7Sdk.model(fake.url), tools: newsTools(ai7Sdk, []) }), {
      capture: {
        model: 'metadata',
        redact: (value, call) => (call.name === 'readPage' ? { url: '[redacted]' } : value),
      },
      tools: { rankStories: { capture: 'none' } },
    });
    const scout = runtime.flow('scout', async (text: string) => (await agent.generate({ prompt: text })).text);
    const run = await scout.run(prompt);
    const records = await runtime.executions.checkpoints(run.executionId);
    const byName = (name: string) => records.filter((record) => record.name === name);

    expect(byName('model').every((record) => record.input === undefined && record.metadata?.['usage'] !== undefined)).toBe(true);
    expect(byName('searchNews')[0]).toMatchObject({ input: { topic: 'AI' }, metadata: { toolName: 'searchNews' } });
    expect(byName('readPage').map((record) => record.input)).toEqual([{ url: '[redacted]' }, { url: '[redacted]' }]);
    const rank = byName('rankStories')[0]!;
    expect(rank.input).toBeUndefined();
    expect(rank.metadata).toBeUndefined();
    expect(rank.output).toBe('https://news.example/2 leads');
    expect(byName('model').every((record) => record.output !== undefined)).toBe(true);
  });

  it('a tool with durable: false runs again on replay; an at-most-once tool is recorded as such', async () => {
    fake = await startFakeLLM({ script: newsScript() });
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ model: ai7Sdk.model(fake.url), tools: newsTools(ai7Sdk, calls) }), {
      tools: { readPage: { durable: false }, rankStories: { delivery: 'at-most-once' } },
    });
    const scout = runtime.flow('scout', async (text: string) => (await agent.generate({ prompt: text })).text);
    const first = await scout.run(prompt);
    const records = await runtime.executions.checkpoints(first.executionId);
    expect(records.find((record) => record.name === 'rankStories')).toMatchObject({ delivery: 'at-most-once', durable: true });
    expect(records.filter((record) => record.name === 'readPage').every((record) => !record.durable && record.output === undefined)).toBe(true);

    const replayed = await scout.replay(first.executionId);
    expect(replayed.output).toBe(finalText);
    expect(calls.filter((call) => call.startsWith('readPage'))).toHaveLength(4);
    expect(calls.filter((call) => !call.startsWith('readPage'))).toHaveLength(2);
    expect(fake.requests).toHaveLength(4);
  });

  it('a failed model call is recorded as failed, not as a result: retry() calls the provider again', async () => {
    fake = await startFakeLLM({ script: [{ fault: { status: 500, retryAfterMs: 0 } }, 'Recovered answer'] });
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ model: ai7Sdk.model(fake.url), maxRetries: 0 }));
    const ask = runtime.flow('ask', async (text: string) => (await agent.generate({ prompt: text })).text);
    const failed = await ask.run('Hello?');
    expect(failed.status).toBe('failed');
    const records = await runtime.executions.checkpoints(failed.executionId);
    expect(records.find((record) => record.id === 'agent:1/model:1')).toMatchObject({ status: 'failed', error: { name: 'AI_APICallError' } });

    const retried = await ask.retry(failed.executionId);
    expect(retried).toMatchObject({ status: 'completed', output: 'Recovered answer' });
    expect(fake.requests).toHaveLength(2);
  });

  it('a dropped stream is not recorded: retry() streams the call again from the provider', async () => {
    fake = await startFakeLLM({ script: [{ text: 'one two three four five six', fault: { drop: true, afterEvents: 3 } }, 'one two three four five six'] });
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ model: ai7Sdk.model(fake.url), maxRetries: 0 }));
    const ask = runtime.flow('ask', async (text: string) => {
      const result = await agent.stream({ prompt: text });
      const parts: unknown[] = [];
      for await (const part of result.stream) parts.push(part);
      const error = parts.find((part) => (part as { type: string }).type === 'error');
      if (error) throw (error as { error: Error }).error;
      return { text: await result.text, parts: comparableParts(parts) };
    });
    const failed = await ask.run('Count');
    expect(failed.status).toBe('failed');
    const model = (await runtime.executions.checkpoints(failed.executionId)).find((record) => record.kind === 'model')!;
    expect(model.status).toBe('failed');
    expect(model.output).toBeUndefined();

    const retried = await ask.retry(failed.executionId);
    expect(retried.status).toBe('completed');
    expect((retried.output as { text: string }).text).toBe('one two three four five six');
    expect(fake.requests).toHaveLength(2);
  });

  it('per-kind retries: a model call retried by Keel is one checkpoint with two attempts', async () => {
    fake = await startFakeLLM({ script: [{ fault: { status: 500, retryAfterMs: 0 } }, 'Second time lucky'] });
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(new ToolLoopAgent({ model: ai7Sdk.model(fake.url), maxRetries: 0 }), { retries: { model: { retries: 1, backoff: 0 } } });
    const ask = runtime.flow('ask', async (text: string) => (await agent.generate({ prompt: text })).text);
    const run = await ask.run('Hello?');
    expect(run).toMatchObject({ status: 'completed', output: 'Second time lucky' });
    const model = (await runtime.executions.checkpoints(run.executionId)).find((record) => record.kind === 'model')!;
    expect(model).toMatchObject({ id: 'agent:1/model:1', status: 'completed', attempts: 2 });
  });

  it('a toolApproval function policy: only the calls it sends to a person wait', async () => {
    fake = await startFakeLLM({
      script: [
        {
          toolCalls: [
            { name: 'deleteFile', arguments: { path: '/tmp/cache.bin' } },
            { name: 'deleteFile', arguments: { path: '/etc/passwd' } },
          ],
        },
        (request: FakeRequest) =>
          `Done: ${request.body.messages
            .filter((message: { role: string }) => message.role === 'tool')
            .map((message: { content: string }) => message.content)
            .join(' | ')}`,
      ],
    });
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const agent = durable(
      new ToolLoopAgent({
        model: ai7Sdk.model(fake.url),
        tools: { deleteFile: deleteFileTool(ai7Sdk, calls) },
        toolApproval: ({ toolCall }) =>
          (toolCall.input as { path: string }).path.startsWith('/etc') ? { type: 'user-approval', reason: 'system file' } : 'not-applicable',
      }),
    );
    const cleanup = runtime.flow('cleanup', async (text: string) => (await agent.generate({ prompt: text })).text);
    const waiting = await cleanup.run('Clean up');
    expect(waiting.waits).toHaveLength(1);
    expect(waiting.waits![0]).toMatchObject({ name: 'approve_deleteFile', metadata: { input: { path: '/etc/passwd' }, reason: 'system file' } });
    expect(calls).toEqual(['deleteFile /tmp/cache.bin']);
    await runtime.executions.input(waiting.executionId, 'approve_deleteFile', { approve: false, reason: 'never' });
    const done = await cleanup.resume(waiting.executionId);
    expect(done).toMatchObject({ status: 'completed', output: 'Done: deleted /tmp/cache.bin | never' });
    expect(calls).toEqual(['deleteFile /tmp/cache.bin']);
  });
});

describe('durableModel and durableTools with generateText / streamText', () => {
  it('generateText in a flow: the pieces record and replay like the agent does', async () => {
    fake = await startFakeLLM({ script: newsScript() });
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const model = durableModel(ai7Sdk.model(fake.url, 'responses'));
    const tools = durableTools(newsTools(ai7Sdk, calls));
    const scout = runtime.flow('scout', async (text: string) => (await generateText({ model, tools, prompt: text, stopWhen: isStepCount(5) })).text);
    const first = await scout.run(prompt);
    expect(first.output).toBe(finalText);
    const records = await runtime.executions.checkpoints(first.executionId, { payloads: false });
    expect(records.map((record) => record.id)).toEqual(expect.arrayContaining(['model:1', 'model:4', 'searchNews:call_1@1', 'rankStories:call_4@5']));
    expect(records.find((record) => record.id === 'model:1')!.metadata).toMatchObject({
      model: { provider: 'openai.responses', modelId: 'gpt-4o' },
      finishReason: 'tool-calls',
    });

    await scout.replay(first.executionId);
    expect(fake.requests).toHaveLength(4);
    expect(calls).toHaveLength(4);
  });

  it('streamText in a flow replays the same parts; durableToolApproval turns a v7 policy into a wait', async () => {
    fake = await startFakeLLM({
      script: [{ toolCalls: [{ name: 'deleteFile', arguments: { path: '/tmp/report.txt' } }] }, (request: FakeRequest) => `Result: ${lastToolOutput(request)}`],
    });
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const model = durableModel(ai7Sdk.model(fake.url));
    const tools = durableTools({ deleteFile: deleteFileTool(ai7Sdk, calls) });
    const cleanup = runtime.flow('cleanup', async (text: string) => {
      const result = streamText({
        model,
        tools,
        toolApproval: durableToolApproval(tools, { deleteFile: 'user-approval' }),
        prompt: text,
        stopWhen: isStepCount(3),
      });
      const parts: unknown[] = [];
      for await (const part of result.stream) parts.push(part);
      return { text: await result.text, parts: comparableParts(parts) };
    });
    const waiting = await cleanup.run('Delete the report');
    expect(waiting.waits![0]!.name).toBe('approve_deleteFile');
    await runtime.executions.input(waiting.executionId, 'approve_deleteFile', { approve: true });
    const done = await cleanup.resume(waiting.executionId);
    expect((done.output as { text: string }).text).toBe('Result: deleted /tmp/report.txt');
    const replayed = await cleanup.replay(waiting.executionId);
    expect(replayed.output).toEqual(done.output);
    expect(calls).toEqual(['deleteFile /tmp/report.txt']);
    expect(fake.requests).toHaveLength(2);
  });

  it('keeps the model specification of each SDK (V4 for ai 7, V3 for ai 6); outside a flow calls pass through', async () => {
    fake = await startFakeLLM({ script: ['plain answer'] });
    const model = durableModel(ai7Sdk.model(fake.url));
    expect([model.specificationVersion, model.provider, model.modelId]).toEqual(['v4', 'openai.chat', 'gpt-4o']);
    expect(durableModel(ai6Sdk.model(fake.url)).specificationVersion).toBe('v3');
    const result = await generateText({ model, prompt: 'Hi' });
    expect(result.text).toBe('plain answer');
    expect(fake.requests).toHaveLength(1);
  });

  it('pieces made durable before, inside durable(agent): one record per call, and the agent policy still sends calls to a person', async () => {
    fake = await startFakeLLM({
      script: [{ toolCalls: [{ name: 'deleteFile', arguments: { path: '/tmp/report.txt' } }] }, (request: FakeRequest) => `Result: ${lastToolOutput(request)}`],
    });
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const model = wrapLanguageModel({ model: ai7Sdk.model(fake.url), middleware: durableMiddleware() });
    const agent = durable(
      new ToolLoopAgent({ model, tools: durableTools({ deleteFile: deleteFileTool(ai7Sdk, calls) }), toolApproval: { deleteFile: 'user-approval' } }),
    );
    const cleanup = runtime.flow('cleanup', async (text: string) => (await agent.generate({ prompt: text })).text);
    const waiting = await cleanup.run('Delete the report');
    expect(waiting.waits?.map((wait) => wait.name)).toEqual(['approve_deleteFile']);
    expect(calls).toEqual([]);
    await runtime.executions.input(waiting.executionId, 'approve_deleteFile', { approve: true });
    expect(await cleanup.resume(waiting.executionId)).toMatchObject({ status: 'completed', output: 'Result: deleted /tmp/report.txt' });
    const records = await runtime.executions.checkpoints(waiting.executionId, { payloads: false });
    expect(records.map((record) => record.id).sort()).toEqual([
      'agent:1',
      'agent:1/deleteFile:call_1@1',
      'agent:1/deleteFile:call_1@1/approve_deleteFile:1',
      'agent:1/model:1',
      'agent:1/model:2',
    ]);
    expect(calls).toEqual(['deleteFile /tmp/report.txt']);
  });

  it('refuses what it cannot make durable, with errors that say what to pass instead', () => {
    expect(() => durableModel('openai/gpt-4o' as never)).toThrow(ModelUnsupportedError);
    expect(() => durable(new ToolLoopAgent({ model: 'openai/gpt-4o' }))).toThrow(/gateway\('openai\/gpt-4o'\)/);
    const custom = { version: 'agent-v1', generate: async () => ({}), stream: async () => ({}) };
    expect(() => durable(custom)).toThrow(AgentUnsupportedError);
    expect(() => durableToolApproval({}, {})).toThrow(ToolSetUnsupportedError);
  });
});
