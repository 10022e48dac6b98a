import { Agent, tool, type RunResult, type StreamedRunResult } from '@openai/agents';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { durable } from '@keel/adapter-openai-agents';

interface Desk {
  readonly editor: string;
}

const lookup = tool({ name: 'lookup', description: 'Looks up.', parameters: z.object({ topic: z.string() }), execute: async ({ topic }) => topic });

describe("durable(agent) keeps the SDK's own result types", () => {
  it("run() resolves with a RunResult whose final output has the agent's output type", () => {
    const agent = new Agent<Desk, typeof schema>({ name: 'brief', outputType: schema, tools: [lookup] });
    const durableAgent = durable(agent);
    const result = durableAgent.run('Brief me');
    expectTypeOf(result).resolves.toExtend<RunResult<any, any>>();
    expectTypeOf(result).resolves.not.toExtend<StreamedRunResult<any, any>>();
    expectTypeOf(result).resolves.toHaveProperty('finalOutput').toEqualTypeOf<{ title: string; points: string[] } | undefined>();
  });

  it('run(input, { stream: true }) resolves with the StreamedRunResult', () => {
    const agent = new Agent({ name: 'chat', instructions: 'Be brief.' });
    const streamed = durable(agent).run('Hi', { stream: true });
    expectTypeOf(streamed).resolves.toExtend<StreamedRunResult<any, any>>();
    expectTypeOf(streamed).resolves.toHaveProperty('finalOutput').toEqualTypeOf<string | undefined>();
    expectTypeOf(durable(agent).run('Hi')).resolves.toHaveProperty('finalOutput').toEqualTypeOf<string | undefined>();
  });
});

const schema = z.object({ title: z.string(), points: z.array(z.string()) });
