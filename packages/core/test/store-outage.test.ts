import { describe, expect, it } from 'vitest';
import { checkpoint, createRuntime, memoryStore, type Store } from '../src/index.js';

/**
 * A store that is down while `down` is set: its writes fail the way a store fails once its own retries
 * are spent (the PostgreSQL store's `StoreUnavailableError`; the real outage, through a TCP proxy, is in
 * `@keel/store-postgres`'s tests). Reads keep working, so the test can look at what was recorded.
 */
function storeWithOutage(inner: Store) {
  const state = { down: false, refused: [] as string[] };
  const writes = new Set(['putCheckpoint', 'writeCheckpoints', 'putWait', 'putArtifact', 'appendLogs', 'updateExecution', 'putBlob']);
  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (state.down && writes.has(String(property))) {
          state.refused.push(describeWrite(String(property), args));
          return Promise.reject(Object.assign(new Error(`the store is unreachable (${String(property)})`), { name: 'StoreUnavailableError' }));
        }
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, state };
}

/** A refused write, for the test to name: a checkpoint put, a lease renewal, an execution's new status. */
function describeWrite(method: string, args: unknown[]): string {
  if (method === 'putCheckpoint') {
    const record = args[0] as { id: string; status: string };
    return `put ${record.id} ${record.status}`;
  }
  if (method === 'writeCheckpoints') {
    const records = (args[0] as { checkpoints: { id: string; status: string }[] }).checkpoints;
    return `write ${records.map((record) => `${record.id} ${record.status}`).join(', ')}`;
  }
  if (method === 'updateExecution') {
    const patch = args[1] as Record<string, unknown>;
    return Object.keys(patch).join() === 'lease' ? 'renew lease' : `update execution ${Object.keys(patch).join()}`;
  }
  return method;
}

describe('a store that fails a write of a running session', () => {
  it('stops the session without recording a failure, and the execution is continued once the lease expires', async () => {
    const inner = memoryStore();
    const { store, state } = storeWithOutage(inner);
    const effects: string[] = [];
    const body =
      (runner: string, onStep: (step: number) => void = () => {}) =>
      async () => {
        const trail: string[] = [];
        for (let step = 1; step <= 3; step++) {
          trail.push(
            await checkpoint(`step_${step}`, () => {
              effects.push(`${runner} step_${step}`);
              onStep(step);
              return `${runner}:${step}`;
            }),
          );
        }
        return trail;
      };

    const first = createRuntime({ store, leaseTtlMs: 300, codeVersion: 'outage-test' });
    // The store goes down while step 2 runs: its result cannot be recorded.
    const flow = first.flow(
      'steps',
      body('first', (step) => (state.down = step === 2)),
    );
    const failure = await flow.run({}).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'StoreUnavailableError' });
    // Storing step 2's output and record (one write) was the only write the session tried, besides
    // renewing its lease: neither the call's failure nor the flow's was written after it.
    expect(state.refused.filter((write) => write !== 'renew lease')).toEqual(['write step_2:1 completed']);

    // Back up: nothing says the execution failed; it is running, under the lease that will expire.
    state.down = false;
    const [execution] = await inner.listExecutions();
    expect(execution).toMatchObject({ status: 'running', sessions: 1, lease: expect.objectContaining({ owner: expect.any(String) }) });
    // Step 2's `running` record was deferred to ride with that write (at-least-once), so none is stored.
    expect((await inner.listCheckpoints(execution!.id)).map((record) => [record.id, record.status])).toEqual([['step_1:1', 'completed']]);

    const second = createRuntime({ store: inner, leaseTtlMs: 300, codeVersion: 'outage-test' });
    second.flow('steps', body('second'));
    let reports = await second.executions.recover();
    while (reports.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reports = await second.executions.recover();
    }
    expect(reports).toMatchObject([{ executionId: execution!.id, result: { status: 'completed', output: ['first:1', 'second:2', 'second:3'] } }]);
    // Step 2 ran again (its result was never recorded: at least once); nothing else did.
    expect(effects).toEqual(['first step_1', 'first step_2', 'second step_2', 'second step_3']);
    await first.close();
    await second.close();
  });
});
