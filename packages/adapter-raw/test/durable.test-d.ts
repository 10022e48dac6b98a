import Anthropic from '@anthropic-ai/sdk';
import { describe, expectTypeOf, it } from 'vitest';
import { durable, durableAnthropic, durableTool, type DurableTool } from '@keel/adapter-raw';

describe('the raw adapter keeps the types of what it wraps', () => {
  it('durableAnthropic(client) is the same client type: messages.create keeps its overloads', () => {
    const client = new Anthropic({ apiKey: 'test' });
    const wrapped = durableAnthropic(client);
    expectTypeOf(wrapped).toEqualTypeOf<Anthropic>();
    expectTypeOf(wrapped.messages.create).toEqualTypeOf(client.messages.create);
    expectTypeOf(wrapped.messages.stream).toEqualTypeOf(client.messages.stream);
  });

  it('durable(name, fn) keeps the parameters and the awaited result', () => {
    const rank = durable('rank', (urls: string[], limit: number) => urls.slice(0, limit).map((url) => ({ url, score: 1 })));
    expectTypeOf(rank).parameters.toEqualTypeOf<[string[], number]>();
    expectTypeOf(rank).returns.toEqualTypeOf<Promise<{ url: string; score: number }[]>>();
    // @ts-expect-error: the limit is a number
    void rank(['a'], '2');
  });

  it('durableTool(name, fn) keeps the input and output types', () => {
    const search = durableTool('search', async ({ query }: { query: string }) => [`about ${query}`]);
    expectTypeOf(search).toEqualTypeOf<DurableTool<{ query: string }, string[]>>();
  });
});
