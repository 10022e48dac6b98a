import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkpoint, createRuntime, ExecutionStateError, memoryStore, wait } from '../src/index.js';

/** A flow whose step holds until released, so a run is observably in flight. */
function heldFlow() {
  const runtime = createRuntime({ store: memoryStore() });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const flow = runtime.flow('held', async (topic: string) => {
    await wait('go', { schema: z.boolean() });
    await checkpoint('hold', () => held);
    return `done ${topic}`;
  });
  return { runtime, flow, release: () => release() };
}

describe('run handles', () => {
  it('begin resolves with the execution id while the run is in flight, and its result when it ends', async () => {
    const { runtime, release } = heldFlow();
    const first = await runtime.begin('held', 'ai');
    const waiting = await first.result;
    expect(waiting).toMatchObject({ executionId: first.executionId, status: 'waiting' });
    await runtime.executions.input(first.executionId, 'go', true);

    const resumed = await runtime.executions.begin('resume', first.executionId);
    expect(resumed.executionId).toBe(first.executionId);
    // Started and held here: the store says so before the run has ended.
    const execution = await runtime.executions.get(first.executionId);
    expect(execution).toMatchObject({ status: 'running', lease: { owner: runtime.ownerId } });
    release();
    expect(await resumed.result).toMatchObject({ status: 'completed', output: 'done ai' });
  });

  it('a refused operation rejects instead of giving a handle', async () => {
    const { runtime, release } = heldFlow();
    release();
    const { executionId } = await (await runtime.begin('held', 'ai')).result;
    await runtime.executions.input(executionId, 'go', true);
    await (
      await runtime.executions.begin('resume', executionId)
    ).result;
    await expect(runtime.executions.begin('retry', executionId)).rejects.toSatisfy(ExecutionStateError.isInstance);
  });

  it('beginReplay names the new execution at once', async () => {
    const { runtime, release } = heldFlow();
    release();
    const { executionId } = await (await runtime.begin('held', 'ai')).result;
    await runtime.executions.input(executionId, 'go', true);
    await (
      await runtime.executions.begin('resume', executionId)
    ).result;
    const replay = await runtime.executions.beginReplay(executionId, { from: 'hold:1', executionId: 'ex_replay_handle' });
    expect(replay.executionId).toBe('ex_replay_handle');
    expect((await runtime.executions.get('ex_replay_handle')).replayOf?.executionId).toBe(executionId);
    expect(await replay.result).toMatchObject({ executionId: 'ex_replay_handle', status: 'completed', output: 'done ai' });
  });
});
