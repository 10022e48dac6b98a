import { createOpenAI } from '@ai-sdk/openai';
import { Output, ToolLoopAgent, tool } from 'ai';
import { createOpenAI as createOpenAIV3 } from '@ai-sdk/openai-v3';
import { ToolLoopAgent as ToolLoopAgentV6, tool as toolV6 } from 'ai-v6';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { durable } from '@keel/adapter-vercel-ai';

const model = createOpenAI({ apiKey: 'test' }).chat('gpt-4o');
const tools = {
  weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: 21 }) }),
};

describe('durable(agent) keeps the ai agent type', () => {
  it('returns the same agent type, so generate and stream keep their tools and output types', () => {
    const agent = new ToolLoopAgent({ model, tools });
    const durableAgent = durable(agent);
    expectTypeOf(durableAgent).toEqualTypeOf(agent);
    expectTypeOf(durableAgent.generate).returns.resolves.toEqualTypeOf<Awaited<ReturnType<typeof agent.generate>>>();
    const generated = durableAgent.generate({ prompt: 'Paris?' });
    expectTypeOf(generated).resolves.toHaveProperty('text').toEqualTypeOf<string>();
    // The tool's own result type survives: a typed tool result, not `unknown`.
    expectTypeOf<Extract<Awaited<typeof generated>['toolResults'][number], { toolName: 'weather' }>['output']>().toEqualTypeOf<{
      city: string;
      celsius: number;
    }>();
    expectTypeOf(durableAgent.stream).returns.resolves.toEqualTypeOf<Awaited<ReturnType<typeof agent.stream>>>();
  });

  it('keeps a structured output type', () => {
    const agent = new ToolLoopAgent({ model, output: Output.object({ schema: z.object({ summary: z.string() }) }) });
    const result = durable(agent).generate({ prompt: 'Summarize' });
    expectTypeOf(result).resolves.toHaveProperty('output').toEqualTypeOf<{ summary: string }>();
  });

  it('does the same for an ai 6 agent', () => {
    const weather = toolV6({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: 21 }) });
    const agent = new ToolLoopAgentV6({ model: createOpenAIV3({ apiKey: 'test' }).chat('gpt-4o'), tools: { weather } });
    const durableAgent = durable(agent);
    expectTypeOf(durableAgent).toEqualTypeOf(agent);
    const generated = durableAgent.generate({ prompt: 'Paris?' });
    expectTypeOf<Extract<Awaited<typeof generated>['toolResults'][number], { toolName: 'weather' }>['output']>().toEqualTypeOf<{
      city: string;
      celsius: number;
    }>();
  });
});
