import { describe, expectTypeOf, it } from 'vitest';
import { checkpoint, createRuntime, flow, memoryStore, wait, type Flow, type RunResult } from '../src/index.js';
import { z } from 'zod';

interface Brief {
  readonly topic: string;
  readonly depth: number;
}

describe('flow<I, O>', () => {
  it('infers the input and output types from the function', () => {
    const brief = flow('brief', async (input: Brief) => ({ title: input.topic, words: input.depth * 100 }));
    expectTypeOf(brief).toEqualTypeOf<Flow<Brief, { title: string; words: number }>>();
    expectTypeOf(brief.run).parameter(0).toEqualTypeOf<Brief>();
    expectTypeOf(brief.run({ topic: 'keel', depth: 2 })).resolves.toEqualTypeOf<RunResult<{ title: string; words: number }>>();
    expectTypeOf<RunResult<{ title: string }>['output']>().toEqualTypeOf<{ title: string } | undefined>();
    // @ts-expect-error: the input must be a Brief
    void brief.run({ topic: 'keel' });
  });

  it('keeps the types on a runtime, for resume, retry and replay too', () => {
    const runtime = createRuntime({ store: memoryStore() });
    const count = runtime.flow('count', (input: string[]) => input.length);
    expectTypeOf(count.run).parameter(0).toEqualTypeOf<string[]>();
    expectTypeOf(count.resume('ex_1')).resolves.toEqualTypeOf<RunResult<number>>();
    expectTypeOf(count.retry('ex_1')).resolves.toEqualTypeOf<RunResult<number>>();
    expectTypeOf(count.replay('ex_1')).resolves.toEqualTypeOf<RunResult<number>>();
  });

  it('checkpoint() returns what its function returns, and wait() what its schema parses', () => {
    expectTypeOf(checkpoint('fetch', async () => ({ ok: true as const }))).resolves.toEqualTypeOf<{ ok: true }>();
    expectTypeOf(wait('approve', { schema: z.object({ approve: z.boolean() }) })).resolves.toEqualTypeOf<{ approve: boolean }>();
  });
});
