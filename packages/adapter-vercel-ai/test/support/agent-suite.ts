import { createRuntime, DivergenceError, memoryStore, priceTable } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durable, durableMiddleware, durableTools, ExecutionWaitingError, hitlTool } from '../../src/index.js';
import { lastToolOutput, newsScript } from './news-script.js';
import { deleteFileTool, newsTools, type SdkUnderTest } from './sdk-under-test.js';

const prompt = 'Find the most important AI news';
const finalText = 'The most important AI news: https://news.example/2 leads';

/** Stream parts as JSON, without what differs between two runs of the same calls (timings, SDK-minted ids). */
export function comparableParts(parts: readonly unknown[]): unknown[] {
  return JSON.parse(
    JSON.stringify(parts, (key, value: unknown) => (key === 'performance' ? undefined : value)).replace(/aitxt-[A-Za-z0-9]+/g, 'aitxt-*'),
  ) as unknown[];
}

/** A script that calls `deleteFile` once, then reports what the tool (or the rejection) said. */
function deleteScript() {
  return [{ toolCalls: [{ name: 'deleteFile', arguments: { path: '/tmp/report.txt' } }] }, (request: FakeRequest) => `Result: ${lastToolOutput(request)}`];
}

/**
 * What `durable(agent)` must do on every supported `ai` major: record and replay generate and stream
 * runs, turn tool approvals and human questions into durable waits, refuse divergent replays, and
 * open its own flow when called outside one.
 */
export function describeAgentSuite(sdk: SdkUnderTest): void {
  describe(`durable(agent) on ${sdk.name}`, () => {
    let fake: FakeLLM | undefined;
    afterEach(async () => {
      await fake?.stop();
      fake = undefined;
    });

    it('generate: every model request and tool call is a checkpoint, and a replay calls nothing again', async () => {
      fake = await startFakeLLM({ script: newsScript() });
      const calls: string[] = [];
      const runtime = createRuntime({ store: memoryStore() });
      const agent = durable(new sdk.ToolLoopAgent({ id: 'news-scout', model: sdk.model(fake.url), tools: newsTools(sdk, calls), instructions: 'Be brief.' }));
      const scout = runtime.flow('scout', async (text: string) => (await agent.generate({ prompt: text })).text as string);

      const first = await scout.run(prompt);
      expect(first).toMatchObject({ status: 'completed', output: finalText });
      expect(fake.requests).toHaveLength(4);
      expect([...calls].sort()).toEqual([
        'rankStories https://news.example/1,https://news.example/2',
        'readPage https://news.example/1',
        'readPage https://news.example/2',
        'searchNews AI',
      ]);

      const records = await runtime.executions.checkpoints(first.executionId, { payloads: false });
      expect(records.map((record) => `${record.id} ${record.kind} ${record.status}`).sort()).toEqual([
        'news-scout:1 step completed',
        'news-scout:1/model:1 model completed',
        'news-scout:1/model:2 model completed',
        'news-scout:1/model:3 model completed',
        'news-scout:1/model:4 model completed',
        'news-scout:1/rankStories:call_4@5 tool completed',
        'news-scout:1/readPage:call_2@3 tool completed',
        'news-scout:1/readPage:call_3@3 tool completed',
        'news-scout:1/searchNews:call_1@1 tool completed',
      ]);
      const firstModel = records.find((record) => record.id === 'news-scout:1/model:1')!;
      expect(firstModel.metadata).toEqual({
        model: { provider: 'openai.chat', modelId: 'gpt-4o' },
        usage: { inputTokens: 100, outputTokens: 7, totalTokens: 107, cachedInputTokens: 0, reasoningTokens: 0 },
        finishReason: 'tool-calls',
        ...(firstModel.metadata?.['responseModelId'] ? { responseModelId: 'gpt-4o' } : {}),
        // Core adds the cost at list price (gpt-4o: $2.50 and $10 per million input and output tokens).
        cost: { usd: expect.closeTo((100 * 2.5 + 7 * 10) / 1e6, 12), pricedAs: 'openai/gpt-4o', prices: priceTable },
      });
      expect(records.find((record) => record.id === 'news-scout:1/model:4')!.metadata).toMatchObject({ finishReason: 'stop' });
      expect(records.find((record) => record.id === 'news-scout:1/searchNews:call_1@1')!.metadata).toEqual({ toolName: 'searchNews', toolCallId: 'call_1' });

      const replayed = await scout.replay(first.executionId);
      expect(replayed).toMatchObject({ status: 'completed', output: finalText });
      expect(fake.requests).toHaveLength(4);
      expect(calls).toHaveLength(4);
    });

    it('stream: a replayed run streams the same text and the same parts, in the same order', async () => {
      fake = await startFakeLLM({ script: newsScript() });
      const calls: string[] = [];
      const runtime = createRuntime({ store: memoryStore() });
      const agent = durable(new sdk.ToolLoopAgent({ id: 'news-scout', model: sdk.model(fake.url), tools: newsTools(sdk, calls) }));
      const scout = runtime.flow('scout-stream', async (text: string) => {
        const result = await agent.stream({ prompt: text });
        const parts: unknown[] = [];
        for await (const part of result.fullStream) parts.push(part);
        return { text: (await result.text) as string, parts: comparableParts(parts) };
      });

      const first = await scout.run(prompt);
      expect(first.status).toBe('completed');
      expect(first.output!.text).toBe(finalText);
      const types = (first.output!.parts as { type: string }[]).map((part) => part.type);
      expect(types.filter((type) => type === 'text-delta').length).toBeGreaterThan(5);
      expect(types.filter((type) => type === 'tool-result')).toHaveLength(4);
      expect(fake.requests).toHaveLength(4);

      const replayed = await scout.replay(first.executionId);
      expect(replayed.status).toBe('completed');
      expect(replayed.output).toEqual(first.output);
      expect(fake.requests).toHaveLength(4);
      expect(calls).toHaveLength(4);
    });

    it('approval: the run waits; approved, the tool runs exactly once; rejected, it never runs and the model is told', async () => {
      fake = await startFakeLLM({ script: [...deleteScript(), ...deleteScript()] });
      const calls: string[] = [];
      const runtime = createRuntime({ store: memoryStore() });
      const settings = sdk.approvalSettings({ deleteFile: deleteFileTool(sdk, calls) }, 'deleteFile');
      const agent = durable(new sdk.ToolLoopAgent({ model: sdk.model(fake.url), ...settings }));
      const cleanup = runtime.flow('cleanup', async (text: string) => (await agent.generate({ prompt: text })).text as string);

      const waiting = await cleanup.run('Delete the report');
      expect(waiting.status).toBe('waiting');
      expect(waiting.waits).toHaveLength(1);
      expect(waiting.waits![0]).toMatchObject({
        name: 'approve_deleteFile',
        question: 'Approve the call of tool "deleteFile" with {"path":"/tmp/report.txt"}?',
        metadata: { toolName: 'deleteFile', input: { path: '/tmp/report.txt' } },
        schema: { type: 'object', required: ['approve'] },
      });
      expect(calls).toEqual([]);
      await runtime.executions.input(waiting.executionId, 'approve_deleteFile', { approve: true });
      const approved = await cleanup.resume(waiting.executionId);
      expect(approved).toMatchObject({ status: 'completed', output: 'Result: deleted /tmp/report.txt' });
      expect(calls).toEqual(['deleteFile /tmp/report.txt']);
      expect(fake.requests).toHaveLength(2);
      await cleanup.replay(waiting.executionId);
      expect(calls).toEqual(['deleteFile /tmp/report.txt']);

      const second = await cleanup.run('Delete the report');
      expect(second.status).toBe('waiting');
      await runtime.executions.input(second.executionId, 'approve_deleteFile', { approve: false, reason: 'Keep it, legal hold.' });
      const rejected = await cleanup.resume(second.executionId);
      expect(rejected).toMatchObject({ status: 'completed', output: 'Result: Keep it, legal hold.' });
      expect(calls).toEqual(['deleteFile /tmp/report.txt']);
      const toolRecord = (await runtime.executions.checkpoints(second.executionId)).find((record) => record.kind === 'tool');
      expect(toolRecord?.output).toEqual({ type: 'execution-denied', reason: 'Keep it, legal hold.' });
    });

    it('hitlTool: the answer to a durable question is the tool result', async () => {
      fake = await startFakeLLM({
        script: [
          { toolCalls: [{ name: 'askEditor', arguments: { options: ['chips', 'models'] } }] },
          (request: FakeRequest) => `Leading with ${lastToolOutput(request)}`,
        ],
      });
      const runtime = createRuntime({ store: memoryStore() });
      const askEditor = hitlTool({
        description: 'Ask the editor which story leads',
        inputSchema: z.object({ options: z.array(z.string()) }),
        question: ({ options }) => `Which story leads: ${options.join(' or ')}?`,
        schema: z.object({ choice: z.string() }),
      });
      const agent = durable(new sdk.ToolLoopAgent({ model: sdk.model(fake.url), tools: { askEditor } }));
      const edit = runtime.flow('edit', async (text: string) => (await agent.generate({ prompt: text })).text as string);

      const waiting = await edit.run('Pick the lead');
      expect(waiting.status).toBe('waiting');
      expect(waiting.waits![0]).toMatchObject({ name: 'askEditor', question: 'Which story leads: chips or models?' });
      await runtime.executions.input(waiting.executionId, 'askEditor', { choice: 'models' });
      const done = await edit.resume(waiting.executionId);
      expect(done).toMatchObject({ status: 'completed', output: 'Leading with {"choice":"models"}' });
      expect(fake.requests).toHaveLength(2);
    });

    it('a resume with changed tools or a changed prompt fails with DivergenceError instead of reusing records', async () => {
      fake = await startFakeLLM({ script: deleteScript() });
      const calls: string[] = [];
      const runtime = createRuntime({ store: memoryStore() });
      const deleteFile = deleteFileTool(sdk, calls);
      let extraTools: Record<string, unknown> = {};
      let question = 'Delete the report';
      const cleanup = runtime.flow('cleanup', async () => {
        const settings = sdk.approvalSettings({ deleteFile, ...extraTools }, 'deleteFile');
        const agent = durable(new sdk.ToolLoopAgent({ model: sdk.model(fake!.url), ...settings }));
        return (await agent.generate({ prompt: question })).text as string;
      });
      const waiting = await cleanup.run(null);
      expect(waiting.status).toBe('waiting');
      await runtime.executions.input(waiting.executionId, 'approve_deleteFile', { approve: true });

      extraTools = { searchNews: newsTools(sdk, calls).searchNews };
      const changedTools = await cleanup.resume(waiting.executionId);
      expect(changedTools.status).toBe('failed');
      expect(DivergenceError.isInstance(changedTools.error)).toBe(true);
      expect((changedTools.error as DivergenceError).recorded).toMatchObject({ id: 'agent:1/model:1', kind: 'model' });
      expect(changedTools.error!.message).toContain('was made with another request');

      extraTools = {};
      question = 'Delete every report';
      const changedPrompt = await cleanup.retry(waiting.executionId);
      expect(changedPrompt.status).toBe('failed');
      expect((changedPrompt.error as DivergenceError).recorded).toMatchObject({ id: 'agent:1', kind: 'step' });

      question = 'Delete the report';
      const restored = await cleanup.retry(waiting.executionId);
      expect(restored).toMatchObject({ status: 'completed', output: 'Result: deleted /tmp/report.txt' });
      expect(calls).toEqual(['deleteFile /tmp/report.txt']);
      expect(fake.requests).toHaveLength(2);
    });

    it('durableMiddleware in wrapLanguageModel, with durableTools, records and replays a generateText run', async () => {
      fake = await startFakeLLM({ script: newsScript() });
      const calls: string[] = [];
      const runtime = createRuntime({ store: memoryStore() });
      const model = sdk.wrapLanguageModel({ model: sdk.model(fake.url), middleware: durableMiddleware() });
      const tools = durableTools(newsTools(sdk, calls));
      const scout = runtime.flow(
        'scout',
        async (text: string) => (await sdk.generateText({ model, tools, prompt: text, stopWhen: sdk.stepCountIs(5) })).text as string,
      );
      const first = await scout.run(prompt);
      expect(first.output).toBe(finalText);
      const records = await runtime.executions.checkpoints(first.executionId, { payloads: false });
      expect(records.filter((record) => record.kind === 'model').map((record) => record.id)).toEqual(['model:1', 'model:2', 'model:3', 'model:4']);
      const replayed = await scout.replay(first.executionId);
      expect(replayed.output).toBe(finalText);
      expect(fake.requests).toHaveLength(4);
      expect(calls).toHaveLength(4);
    });

    it('outside a flow: a run that waits rejects with ExecutionWaitingError, and the same call continues it', async () => {
      fake = await startFakeLLM({ script: [...deleteScript(), ...deleteScript()] });
      const calls: string[] = [];
      const runtime = createRuntime({ store: memoryStore() });
      const settings = sdk.approvalSettings({ deleteFile: deleteFileTool(sdk, calls) }, 'deleteFile');
      const agent = durable(new sdk.ToolLoopAgent({ id: 'janitor', model: sdk.model(fake.url), ...settings }), { runtime });

      const waiting = await agent.generate({ prompt: 'Delete the report' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(ExecutionWaitingError.isInstance(waiting)).toBe(true);
      const { executionId, waits } = waiting as ExecutionWaitingError;
      expect(waits.map((wait) => wait.name)).toEqual(['approve_deleteFile']);
      expect((waiting as Error).message).toContain(executionId);
      await runtime.executions.input(executionId, 'approve_deleteFile', { approve: true });
      const result = await agent.generate({ prompt: 'Delete the report' });
      expect(result.text).toBe('Result: deleted /tmp/report.txt');
      expect(result.steps).toHaveLength(2);
      expect(calls).toEqual(['deleteFile /tmp/report.txt']);
      expect((await runtime.executions.get(executionId)).status).toBe('completed');

      const streamed = await agent.stream({ prompt: 'Delete the other report' });
      const types: string[] = [];
      for await (const part of streamed.fullStream) types.push(part.type);
      expect(types.at(-1)).toBe('abort');
      const streamError = await Promise.resolve(streamed.text).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(ExecutionWaitingError.isInstance(streamError)).toBe(true);
      await runtime.executions.input((streamError as ExecutionWaitingError).executionId, 'approve_deleteFile', { approve: true });
      const resumed = await agent.stream({ prompt: 'Delete the other report' });
      expect(await resumed.text).toBe('Result: deleted /tmp/report.txt');
      expect(calls).toEqual(['deleteFile /tmp/report.txt', 'deleteFile /tmp/report.txt']);
      expect(fake.requests).toHaveLength(4);
    });
  });
}
