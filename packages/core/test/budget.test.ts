import { describe, expect, it } from 'vitest';
import { BudgetExceededError, BudgetInvalidError, createRuntime, memoryStore, type Runtime } from '../src/index.js';
import { durableCall } from '../src/adapter.js';

/** A flow of `calls` model calls of 10 tokens each (priced as gpt-4o-mini), counting the calls made. */
function loop(runtime: Runtime, calls: number, options: Parameters<Runtime['flow']>[2] = {}) {
  const made: number[] = [];
  const flow = runtime.flow(
    'loop',
    async () => {
      let answers = 0;
      for (let turn = 1; turn <= calls; turn++) {
        await durableCall({ name: 'model', kind: 'model' }, ({ setMetadata }) => {
          made.push(turn);
          setMetadata({ model: 'gpt-4o-mini', usage: { inputTokens: 8, outputTokens: 2 } });
          return `answer ${turn}`;
        });
        answers++;
      }
      return answers;
    },
    options,
  );
  return { flow, made };
}

describe('budgets', () => {
  it('waits on `budget` before the first live model call at the budget, and approval with more tokens goes on from that call', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow, made } = loop(runtime, 5, { budget: { tokens: 25 } });
    const first = await flow.run(undefined);
    expect(first.status).toBe('waiting');
    expect(made).toEqual([1, 2, 3]);
    expect(first.waits).toEqual([expect.objectContaining({ id: 'budget:model:4', name: 'budget' })]);
    expect(first.waits![0]!.question).toContain('30 of 25 tokens');
    expect(first.waits![0]!.question).toContain('"model:4"');

    await runtime.executions.input(first.executionId, 'budget', { approve: true, add: { tokens: 20 } });
    const second = await flow.resume(first.executionId);
    expect(second).toMatchObject({ status: 'completed', output: 5 });
    expect(made).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails with BudgetExceededError when the wait is rejected, keeping what was recorded', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow, made } = loop(runtime, 5);
    const first = await flow.run(undefined, { budget: { usd: 0.000_003 } });
    expect(first.status).toBe('waiting');
    // 8 input and 2 output tokens of gpt-4o-mini cost $0.0000024: the second call reaches $0.000003.
    expect(made).toEqual([1, 2]);
    await runtime.executions.input(first.executionId, 'budget', { approve: false });
    const second = await flow.resume(first.executionId);
    expect(second.status).toBe('failed');
    expect(BudgetExceededError.isInstance(second.error)).toBe(true);
    expect(second.error!.message).toContain('model call "model:3" was not made');
    expect(made).toEqual([1, 2]);
    const records = await runtime.executions.checkpoints(first.executionId);
    expect(records.filter((record) => record.kind === 'model').map((record) => record.status)).toEqual(['completed', 'completed']);
  });

  it('approval without more budget lets that one call through and asks again before the next', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow, made } = loop(runtime, 4, { budget: { tokens: 10 } });
    const first = await flow.run(undefined);
    await runtime.executions.input(first.executionId, 'budget', { approve: true });
    const second = await flow.resume(first.executionId);
    expect(second.waits?.map((wait) => wait.id)).toEqual(['budget:model:3']);
    expect(made).toEqual([1, 2]);
  });

  it('counts raises recorded by earlier sessions once, whatever session reads them', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow, made } = loop(runtime, 6, { budget: { tokens: 10 } });
    const first = await flow.run(undefined);
    await runtime.executions.input(first.executionId, 'budget', { approve: true, add: { tokens: 20 } });
    // 10 + 20 tokens: calls 2 and 3 are made, call 4 waits.
    const second = await flow.resume(first.executionId);
    expect(second.waits?.map((wait) => wait.id)).toEqual(['budget:model:4']);
    await runtime.executions.input(first.executionId, 'budget', { approve: true, add: { tokens: 10 } });
    const third = await flow.resume(first.executionId);
    expect(third.waits?.map((wait) => wait.id)).toEqual(['budget:model:5']);
    expect(made).toEqual([1, 2, 3, 4]);
  });

  it('does not count calls a replay reused: they cost the replay nothing', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow, made } = loop(runtime, 3);
    const original = await flow.run(undefined);
    const replay = await flow.replay(original.executionId, { from: 'model:3', budget: { tokens: 10 } });
    expect(replay).toMatchObject({ status: 'completed', output: 3 });
    expect(made).toEqual([1, 2, 3, 3]);
  });

  it('does not take a raise the original’s budget wait approved into a replay that reuses the wait', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow, made } = loop(runtime, 4, { budget: { tokens: 10 } });
    const original = await flow.run(undefined);
    await runtime.executions.input(original.executionId, 'budget', { approve: true, add: { tokens: 1000 } });
    expect(await flow.resume(original.executionId)).toMatchObject({ status: 'completed' });
    // The replay reuses model:1, the answered wait before model:2 and model:2; it makes model:3 live
    // (10 tokens against its own budget of 5), so model:4 waits: the original's +1000 is not its own.
    const replay = await flow.replay(original.executionId, { from: 'model:3', budget: { tokens: 5 } });
    expect(replay.waits?.map((wait) => wait.id)).toEqual(['budget:model:4']);
    expect(made).toEqual([1, 2, 3, 4, 3]);
  });

  it('refuses a malformed budget before creating an execution', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const { flow } = loop(runtime, 1);
    await expect(flow.run(undefined, { budget: { tokens: -1 } })).rejects.toSatisfy(BudgetInvalidError.isInstance);
    await expect(flow.start(undefined, { budget: { dollars: 1 } as never })).rejects.toThrow(/"dollars" is not a budget limit/);
    expect(await runtime.executions.list()).toEqual([]);
  });
});
