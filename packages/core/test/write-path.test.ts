import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkpoint, createRuntime, memoryStore, wait, type CheckpointWrite, type Store } from '../src/index.js';

/** `inner`, recording every call of its methods (name and arguments) in `calls`. */
function recording(inner: Store) {
  const calls: { method: string; args: unknown[] }[] = [];
  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(property), args });
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

function written(call: { args: unknown[] }): { ids: string[]; blobs: number } {
  const write = call.args[0] as CheckpointWrite;
  return { ids: write.checkpoints.map((record) => `${record.id} ${record.status}`), blobs: write.blobs?.length ?? 0 };
}

describe('the write path of a session', () => {
  it('records a live at-least-once call in one store write, its output and completed record together, and reads nothing', async () => {
    const { store, calls } = recording(memoryStore());
    const runtime = createRuntime({ store });
    const perCall: { method: string; args: unknown[] }[][] = [];
    await runtime
      .flow('three', async () => {
        for (let step = 1; step <= 3; step++) {
          const before = calls.length;
          await checkpoint('step', () => ({ step }));
          perCall.push(calls.slice(before));
        }
      })
      .run(undefined);
    expect(perCall.map((made) => made.map((call) => call.method))).toEqual([['writeCheckpoints'], ['writeCheckpoints'], ['writeCheckpoints']]);
    expect(perCall.map((made) => written(made[0]!))).toEqual([1, 2, 3].map((step) => ({ ids: [`step:${step} completed`], blobs: 1 })));
    await runtime.close();
  });

  it("stores an at-most-once call's running record before its side effect runs", async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    let seen: unknown;
    const result = await runtime
      .flow('pay', async () =>
        checkpoint(
          'charge',
          async ({ executionId }) => {
            seen = await store.getCheckpoint(executionId, 'charge:1');
            return 'charged';
          },
          { delivery: 'at-most-once' },
        ),
      )
      .run(undefined);
    expect(result.status).toBe('completed');
    expect(seen).toMatchObject({ status: 'running', attempts: 1, delivery: 'at-most-once' });
    await runtime.close();
  });

  it("stores an at-least-once call's running record once the call has run a while, without another write", async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    let seen: unknown = null;
    await runtime
      .flow('slow', async () =>
        checkpoint('think', async ({ executionId }) => {
          // No timing threshold: the call simply runs until its deferred record appears.
          while ((seen = await store.getCheckpoint(executionId, 'think:1')) === null) await new Promise((resolve) => setTimeout(resolve, 5));
          return 'thought';
        }),
      )
      .run(undefined);
    expect(seen).toMatchObject({ status: 'running', attempts: 1 });
    await runtime.close();
  });

  it("carries the deferred running records of calls started earlier in a later call's write", async () => {
    const { store, calls } = recording(memoryStore());
    const runtime = createRuntime({ store });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await runtime
      .flow('parallel', async () => {
        await Promise.all([
          checkpoint('slow', () => gate),
          checkpoint('fast', () => {
            setTimeout(release, 0);
            return 'fast';
          }),
        ]);
      })
      .run(undefined);
    const writes = calls.filter((call) => call.method === 'writeCheckpoints').map((call) => written(call).ids);
    // The fast call's completed record never lands without the slow call's running record (which keeps
    // the recorded order of the two calls for a resume after a crash), and nothing is written twice.
    expect(writes[0]).toEqual(['slow:1 running', 'fast:1 completed']);
    expect(writes.slice(1)).toEqual([['slow:1 completed']]);
    await runtime.close();
  });
});

describe('the reads of a resume', () => {
  it('reads the recorded outputs in batches with getBlobs, not one getBlob each', async () => {
    const { store, calls } = recording(memoryStore());
    const runtime = createRuntime({ store });
    const count = 1_200;
    const seen: number[] = [];
    const long = runtime.flow('long', async () => {
      for (let step = 0; step < count; step++) seen.push((await checkpoint('step', () => ({ step }))).step);
      return wait('done', { schema: z.literal(true) });
    });
    const first = await long.run(undefined);
    await runtime.executions.input(first.executionId, 'done', true);
    seen.length = 0;
    calls.length = 0;
    expect((await long.resume(first.executionId)).status).toBe('completed');
    expect(seen).toEqual(Array.from({ length: count }, (_, step) => step));
    const reads = calls.filter((call) => call.method === 'getBlobs').map((call) => (call.args[0] as string[]).length);
    // 1,200 outputs in batches of 500, each next one read ahead while the flow replays the one before.
    expect(reads).toEqual([500, 500, 200]);
    // Two getBlob calls: the flow's input and the wait's answer. No output is read on its own.
    expect(calls.filter((call) => call.method === 'getBlob')).toHaveLength(2);
    await runtime.close();
  });
});
