import { Agent, OpenAIProvider, setTracingDisabled, tool as agentsTool } from '@openai/agents';
import { durable as durableAgent } from '@keel/adapter-openai-agents';
import { costRollup, createRuntime, memoryStore, type CheckpointInfo } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { createOpenAI } from '@ai-sdk/openai';
import { ToolLoopAgent, tool } from 'ai';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durable } from '../src/index.js';

setTracingDisabled(true); // tracing would export to api.openai.com

/** List prices (USD per million tokens) of the two models, as the providers publish them. */
const listPrice = { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'gpt-4.1-mini': { input: 0.4, output: 1.6 } } as const;
const usd = (model: keyof typeof listPrice, input: number, output: number) => (input * listPrice[model].input + output * listPrice[model].output) / 1e6;

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

describe('the cost roll-up of an AI SDK agent whose tool runs an OpenAI Agents agent', () => {
  it('is one execution: the tool’s subtree says what the inner agent cost, the total what all four calls cost, and a replay tells reused from new', async () => {
    fake = await startFakeLLM({
      script: [
        // The AI SDK agent (Chat Completions) asks its research tool …
        { api: 'openai-chat', toolCalls: [{ name: 'research', arguments: { topic: 'alpha' } }], usage: { inputTokens: 1000, outputTokens: 100 } },
        // … whose OpenAI Agents agent (Responses) looks the topic up and answers …
        { api: 'openai-responses', toolCalls: [{ name: 'lookup', arguments: { topic: 'alpha' } }], usage: { inputTokens: 400, outputTokens: 40 } },
        { api: 'openai-responses', text: 'Alpha is covered.', usage: { inputTokens: 600, outputTokens: 60 } },
        // … and the AI SDK agent answers; the replay below asks for this call once more.
        { api: 'openai-chat', text: 'Brief: alpha is covered.', usage: { inputTokens: 1500, outputTokens: 150 } },
        { api: 'openai-chat', text: 'Brief, again: alpha is covered.', usage: { inputTokens: 1500, outputTokens: 150 } },
      ],
    });
    const url = fake.url;
    const researcher = new Agent({
      name: 'researcher',
      model: 'gpt-4.1-mini',
      tools: [
        agentsTool({
          name: 'lookup',
          description: 'Looks a topic up.',
          parameters: z.object({ topic: z.string() }),
          execute: ({ topic }) => `facts about ${topic}`,
        }),
      ],
    });
    const modelProvider = new OpenAIProvider({ openAIClient: new OpenAI({ baseURL: url, apiKey: 'test', maxRetries: 0 }) });
    const briefer = new ToolLoopAgent({
      model: createOpenAI({ baseURL: url, apiKey: 'test' }).chat('gpt-4o-mini'),
      tools: {
        research: tool({
          inputSchema: z.object({ topic: z.string() }),
          execute: async ({ topic }) => (await durableAgent(researcher, { runConfig: { modelProvider } }).run(`Research ${topic}.`)).finalOutput,
        }),
      },
    });
    const runtime = createRuntime({ store: memoryStore() });
    const brief = runtime.flow('brief', async () => (await durable(briefer).generate({ prompt: 'Brief me on alpha.' })).text);

    const run = await brief.run(undefined);
    expect(run).toMatchObject({ status: 'completed', output: 'Brief: alpha is covered.' });
    const records = await runtime.executions.checkpoints(run.executionId);
    const research = only(records, (record) => record.kind === 'tool' && record.name === 'research');
    const inner = records.filter((record) => record.kind === 'model' && record.id.startsWith(`${research.id}/`));
    expect(inner).toHaveLength(2);

    const rollup = await costRollup(records);
    const innerCost = usd('gpt-4.1-mini', 400, 40) + usd('gpt-4.1-mini', 600, 60);
    const outerCost = usd('gpt-4o-mini', 1000, 100) + usd('gpt-4o-mini', 1500, 150);
    expect(rollup.byCheckpoint[research.id]).toEqual({ tokens: 1100, usd: expect.closeTo(innerCost, 12), calls: 2, unpricedCalls: 0 });
    expect(rollup.total).toEqual({ tokens: 1100 + 1100 + 1650, usd: expect.closeTo(innerCost + outerCost, 12), calls: 4, unpricedCalls: 0 });
    expect(rollup.spent).toEqual(rollup.total);
    // Each call recorded its own cost, priced as the model that answered.
    expect(inner.map((record) => (record.metadata?.cost as { pricedAs?: string }).pricedAs)).toEqual(['openai/gpt-4.1-mini', 'openai/gpt-4.1-mini']);

    // A replay from the last model call reuses the other three: they cost it nothing.
    const lastCall = records.filter((record) => record.kind === 'model' && !inner.includes(record)).at(-1)!;
    const replay = await brief.replay(run.executionId, { from: lastCall.id });
    expect(replay).toMatchObject({ status: 'completed', output: 'Brief, again: alpha is covered.' });
    expect(fake.requests).toHaveLength(5);
    const replayed = await costRollup(await runtime.executions.checkpoints(replay.executionId));
    expect(replayed.reused).toEqual({ tokens: 1100 + 1100, usd: expect.closeTo(innerCost + usd('gpt-4o-mini', 1000, 100), 12), calls: 3, unpricedCalls: 0 });
    expect(replayed.spent).toEqual({ tokens: 1650, usd: expect.closeTo(usd('gpt-4o-mini', 1500, 150), 12), calls: 1, unpricedCalls: 0 });
  });
});

function only(records: readonly CheckpointInfo[], match: (record: CheckpointInfo) => boolean): CheckpointInfo {
  const found = records.filter(match);
  expect(found).toHaveLength(1);
  return found[0]!;
}
