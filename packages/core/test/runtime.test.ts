import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  checkpoint,
  configure,
  createRuntime,
  flow,
  DivergenceError,
  ExecutionLeasedError,
  ExecutionStateError,
  KeelError,
  log,
  memoryStore,
  ReplayMissError,
  save,
  load,
  SerializationError,
  wait,
  WaitInputInvalidError,
  WaitTimeoutError,
  CheckpointNotFoundError,
  CheckpointTimeoutError,
  ExecutionNotFoundError,
  type Store,
} from '../src/index.js';

function setup(store: Store = memoryStore()) {
  return { store, runtime: createRuntime({ store }) };
}

describe('checkpoints', () => {
  it('names checkpoints name:n, nests them, and keeps ids deterministic under Promise.all', async () => {
    const { runtime } = setup();
    const demo = runtime.flow('ids', async () => {
      await checkpoint('search', () => 1);
      await Promise.all([
        checkpoint('fetch', async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return 'slow';
        }),
        checkpoint('fetch', () => 'fast'),
      ]);
      await checkpoint('publish', async () => {
        await checkpoint('render', () => 'html');
        await checkpoint('render', () => 'pdf');
      });
      await checkpoint('search', () => 2);
    });
    const result = await demo.run(undefined);
    expect(result.status).toBe('completed');
    const records = await runtime.executions.checkpoints(result.executionId);
    expect(records.map((record) => [record.id, record.parentId])).toEqual([
      ['search:1', null],
      ['fetch:1', null],
      ['fetch:2', null],
      ['publish:1', null],
      ['publish:1/render:1', 'publish:1'],
      ['publish:1/render:2', 'publish:1'],
      ['search:2', null],
    ]);
    expect(records.find((record) => record.id === 'fetch:1')?.output).toBe('slow');
    expect(records.find((record) => record.id === 'fetch:2')?.output).toBe('fast');
  });

  it('retries with backoff and records attempts', async () => {
    const { runtime } = setup();
    let calls = 0;
    const delays: number[] = [];
    const flaky = runtime.flow('flaky', async () =>
      checkpoint(
        'call_api',
        () => {
          calls++;
          if (calls < 3) throw new Error(`boom ${calls}`);
          return 'ok';
        },
        { retries: 2, backoff: (retry) => (delays.push(retry), 1) },
      ),
    );
    const result = await flaky.run(undefined);
    expect(result).toMatchObject({ status: 'completed', output: 'ok' });
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
    const [record] = await runtime.executions.checkpoints(result.executionId);
    expect(record).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it('does not retry errors that retryOn rejects', async () => {
    const { runtime } = setup();
    let calls = 0;
    const strict = runtime.flow('strict', async () =>
      checkpoint(
        'call',
        () => {
          calls++;
          throw new TypeError('bad request');
        },
        { retries: 5, backoff: 0, retryOn: (error) => !(error instanceof TypeError) },
      ),
    );
    const result = await strict.run(undefined);
    expect(result.status).toBe('failed');
    expect(calls).toBe(1);
  });

  it("keeps a failed run's error and completed checkpoints; retry re-runs only what did not complete", async () => {
    const { runtime } = setup();
    const ran: string[] = [];
    let failPublish = true;
    const pipeline = runtime.flow('pipeline', async (topic: string) => {
      const hits = await checkpoint('search', () => (ran.push('search'), [`${topic} news`]));
      const summary = await checkpoint('summarize', () => (ran.push('summarize'), hits.join()));
      return checkpoint('publish', async () => {
        await checkpoint('render', () => (ran.push('render'), `<p>${summary}</p>`));
        ran.push('publish');
        if (failPublish) throw new Error('publisher is down');
        return 'published';
      });
    });
    const failed = await pipeline.run('ai');
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toBe('publisher is down');
    const info = await runtime.executions.get(failed.executionId);
    expect(info.status).toBe('failed');
    expect(info.error?.message).toBe('publisher is down');
    const records = await runtime.executions.checkpoints(failed.executionId);
    expect(records.map((record) => [record.id, record.status])).toEqual([
      ['search:1', 'completed'],
      ['summarize:1', 'completed'],
      ['publish:1', 'failed'],
      ['publish:1/render:1', 'completed'],
    ]);
    expect(records.find((record) => record.id === 'publish:1')?.error?.message).toBe('publisher is down');

    failPublish = false;
    ran.length = 0;
    const retried = await runtime.executions.retry(failed.executionId);
    expect(retried).toMatchObject({ executionId: failed.executionId, status: 'completed', output: 'published' });
    // search, summarize and the parent's completed child are reused; only the failed parent re-ran.
    expect(ran).toEqual(['publish']);
    const publish = (await runtime.executions.checkpoints(failed.executionId)).find((record) => record.id === 'publish:1');
    expect(publish).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it('reuses completed children when a parent retries within a run', async () => {
    const { runtime } = setup();
    let childRuns = 0;
    let parentRuns = 0;
    const nested = runtime.flow('nested', async () =>
      checkpoint(
        'parent',
        async () => {
          parentRuns++;
          await checkpoint('child', () => ++childRuns);
          if (parentRuns === 1) throw new Error('parent fails once');
          return 'done';
        },
        { retries: 1, backoff: 0 },
      ),
    );
    const result = await nested.run(undefined);
    expect(result.status).toBe('completed');
    expect(parentRuns).toBe(2);
    expect(childRuns).toBe(1);
  });

  it('aborts an attempt that exceeds its timeout', async () => {
    const { runtime } = setup();
    let aborted = false;
    const slow = runtime.flow('slow', async () =>
      checkpoint(
        'hang',
        ({ signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
        { timeout: 20 },
      ),
    );
    const result = await slow.run(undefined);
    expect(result.status).toBe('failed');
    expect(CheckpointTimeoutError.isInstance(result.error)).toBe(true);
    expect(aborted).toBe(true);
  });

  it('gives checkpoint functions a stable idempotency key', async () => {
    const { runtime } = setup();
    const keys: string[] = [];
    let fail = true;
    const payments = runtime.flow('payments', async () =>
      checkpoint('charge', ({ idempotencyKey, attempt }) => {
        keys.push(`${idempotencyKey}#${attempt}`);
        if (fail) throw new Error('network');
        return 'charged';
      }),
    );
    const first = await payments.run(undefined);
    fail = false;
    await runtime.executions.retry(first.executionId);
    expect(keys).toEqual([`${first.executionId}:charge:1#1`, `${first.executionId}:charge:1#2`]);
  });
});

describe('resume and divergence', () => {
  it('never re-runs completed checkpoints on resume', async () => {
    const { runtime } = setup();
    const ran: string[] = [];
    const approval = runtime.flow('approval', async () => {
      const draft = await checkpoint('draft', () => (ran.push('draft'), 'draft text'));
      const ok = await wait('approve', { schema: z.boolean() });
      const sent = await checkpoint('send', () => (ran.push('send'), ok ? `sent ${draft}` : 'dropped'));
      return sent;
    });
    const waiting = await approval.run(undefined);
    expect(waiting.status).toBe('waiting');
    expect(ran).toEqual(['draft']);
    await runtime.executions.input(waiting.executionId, 'approve', true);
    const done = await approval.resume(waiting.executionId);
    expect(done).toMatchObject({ status: 'completed', output: 'sent draft text' });
    expect(ran).toEqual(['draft', 'send']);
    const sessions = (await runtime.executions.checkpoints(waiting.executionId)).map((record) => [record.id, record.session]);
    expect(sessions).toEqual([
      ['draft:1', 1],
      ['approve:1', 2],
      ['send:1', 2],
    ]);
  });

  it('fails with DivergenceError when a recorded id meets another kind', async () => {
    const { runtime } = setup();
    let kind: 'tool' | 'model' = 'tool';
    const agent = runtime.flow('agent', async () => {
      await checkpoint('call', () => 1, { kind });
      await wait('go', { schema: z.literal(true) });
    });
    const first = await agent.run(undefined);
    await runtime.executions.input(first.executionId, 'go', true);
    kind = 'model';
    const resumed = await agent.resume(first.executionId);
    expect(resumed.status).toBe('failed');
    expect(DivergenceError.isInstance(resumed.error)).toBe(true);
    expect(resumed.error?.message).toContain('call:1');
  });

  it('fails with DivergenceError when the code now makes another call at a recorded position', async () => {
    const { runtime } = setup();
    let first = 'search_web';
    const ran: string[] = [];
    const agent = runtime.flow('agent2', async () => {
      await checkpoint(first, () => (ran.push(first), 1));
      await wait('go', { schema: z.literal(true) });
    });
    const started = await agent.run(undefined);
    await runtime.executions.input(started.executionId, 'go', true);
    first = 'fetch_page';
    const resumed = await agent.resume(started.executionId);
    expect(resumed.status).toBe('failed');
    expect(DivergenceError.isInstance(resumed.error)).toBe(true);
    const error = resumed.error as DivergenceError;
    expect(error.recorded.name).toBe('search_web');
    expect(error.current.name).toBe('fetch_page');
    expect(ran).toEqual(['search_web']);
  });

  it('fails with DivergenceError when the fingerprint of a recorded call changes', async () => {
    const { runtime } = setup();
    let prompt = 'hello';
    const agent = runtime.flow('agent3', async () => {
      await checkpoint('model', () => `echo ${prompt}`, { kind: 'model', fingerprint: `sha256:${prompt}` });
      await wait('go', { schema: z.literal(true) });
    });
    const started = await agent.run(undefined);
    await runtime.executions.input(started.executionId, 'go', true);
    prompt = 'goodbye';
    const resumed = await agent.resume(started.executionId);
    expect(DivergenceError.isInstance(resumed.error)).toBe(true);
    expect(resumed.error?.message).toContain('another request');
  });

  it('refuses to resume an execution another runtime holds', async () => {
    const store = memoryStore();
    const first = createRuntime({ store });
    const second = createRuntime({ store });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = signal();
    const body = async () =>
      checkpoint('slow', () => {
        started.fire();
        return gate;
      });
    const running = first.flow('held', body).run(undefined);
    second.flow('held', body);
    await started.fired;
    const [execution] = await second.executions.list();
    await expect(second.executions.resume(execution!.id)).rejects.toSatisfy((error) => ExecutionLeasedError.isInstance(error));
    release();
    expect((await running).status).toBe('completed');
  });

  it('recovers an execution whose lease expired', async () => {
    const store = memoryStore();
    const dead = createRuntime({ store, leaseTtlMs: 60_000 });
    let runs = 0;
    const body = async () => {
      await checkpoint('once', () => ++runs);
      return checkpoint('twice', () => 'finished');
    };
    dead.flow('recoverable', body);
    // A holder that died before its first checkpoint: a running execution under an expired lease.
    // (Real processes frozen past their lease: the conformance suite's "leases across processes".)
    const { executionId } = await dead.start('recoverable', undefined);
    await store.updateExecution(executionId, {
      status: 'running',
      lease: { owner: 'gone', host: 'elsewhere', pid: 1, expiresAt: Date.now() - 1 },
    });
    const worker = createRuntime({ store });
    worker.flow('recoverable', body);
    const reports = await worker.executions.recover();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ executionId, found: 'running', result: { status: 'completed', output: 'finished' } });
    expect(runs).toBe(1);
  });

  it('does not recover an execution whose holder is alive', async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    runtime.flow('alive', async () => 1);
    const { executionId } = await runtime.start('alive', undefined);
    await store.updateExecution(executionId, {
      status: 'running',
      lease: { owner: 'other', host: 'elsewhere', pid: 1, expiresAt: Date.now() + 60_000 },
    });
    expect(await runtime.executions.recover()).toEqual([]);
  });

  it('explains what cannot be done to an execution', async () => {
    const { runtime } = setup();
    const done = await runtime.flow('done', async () => 'x').run(undefined);
    await expect(runtime.executions.retry(done.executionId)).rejects.toSatisfy((error) => ExecutionStateError.isInstance(error));
    await expect(runtime.executions.resume(done.executionId)).rejects.toThrow(/completed/);
    await expect(runtime.executions.get('ex_missing')).rejects.toSatisfy(
      (error) => ExecutionNotFoundError.isInstance(error) && (error as Error).message.includes('ex_missing'),
    );
  });
});

describe('waits', () => {
  it('suspends, validates input against the schema, and resumes with it', async () => {
    const { runtime } = setup();
    const review = runtime.flow('review', async () => {
      const decision = await wait('approve_publish', {
        schema: z.object({ approved: z.boolean(), note: z.string().optional() }),
        question: 'Publish this brief?',
        metadata: { brief: 'b-1' },
      });
      return decision.approved ? 'published' : `rejected: ${decision.note}`;
    });
    const waiting = await review.run(undefined);
    expect(waiting.status).toBe('waiting');
    expect(waiting.waits).toEqual([
      expect.objectContaining({
        name: 'approve_publish',
        id: 'approve_publish:1',
        question: 'Publish this brief?',
        metadata: { brief: 'b-1' },
        schema: expect.objectContaining({ type: 'object', required: ['approved'] }),
      }),
    ]);
    const before = await runtime.executions.get(waiting.executionId);

    const refused = runtime.executions.input(waiting.executionId, 'approve_publish', { approved: 'yes' });
    await expect(refused).rejects.toSatisfy((error) => WaitInputInvalidError.isInstance(error));
    await expect(refused).rejects.toThrow(/approved/);
    const after = await runtime.executions.get(waiting.executionId);
    expect(after).toEqual(before);

    await runtime.executions.input(waiting.executionId, 'approve_publish', { approved: false, note: 'too long' }, { resolvedBy: 'ana' });
    const done = await review.resume(waiting.executionId);
    expect(done).toMatchObject({ status: 'completed', output: 'rejected: too long' });
    const waits = await runtime.executions.waits(waiting.executionId);
    expect(waits[0]).toMatchObject({ status: 'resolved', resolvedBy: 'ana', input: { approved: false, note: 'too long' } });
  });

  it('cannot be swallowed by a try/catch in the flow', async () => {
    const { runtime } = setup();
    const ran: string[] = [];
    const sneaky = runtime.flow('sneaky', async () => {
      try {
        await wait('approve', { schema: z.boolean() });
      } catch {
        ran.push('caught');
      }
      await checkpoint('after', () => ran.push('after'));
      return 'finished';
    });
    const result = await sneaky.run(undefined);
    expect(result.status).toBe('waiting');
    expect(ran).toEqual([]);
    expect((await runtime.executions.get(result.executionId)).status).toBe('waiting');
  });

  it("works inside a checkpoint, reusing the checkpoint's completed children", async () => {
    const { runtime } = setup();
    const ran: string[] = [];
    const inner = runtime.flow('inner', async () =>
      checkpoint('publish', async () => {
        const html = await checkpoint('render', () => (ran.push('render'), '<p>hi</p>'));
        const ok = await wait('approve', { schema: z.boolean() });
        return ok ? html : null;
      }),
    );
    const waiting = await inner.run(undefined);
    expect(waiting.status).toBe('waiting');
    expect(waiting.waits?.[0]?.id).toBe('publish:1/approve:1');
    expect((await runtime.executions.checkpoints(waiting.executionId)).find((record) => record.id === 'publish:1')?.status).toBe('waiting');
    await runtime.executions.input(waiting.executionId, 'approve', true);
    const done = await inner.resume(waiting.executionId);
    expect(done).toMatchObject({ status: 'completed', output: '<p>hi</p>' });
    expect(ran).toEqual(['render']);
  });

  it('lets work in flight finish and be recorded before suspending, and reports every parallel wait', async () => {
    const { runtime } = setup();
    let fetched = 0;
    const parallel = runtime.flow('parallel', async () => {
      const [a, b, page] = await Promise.all([
        wait('legal', { schema: z.boolean() }),
        wait('editor', { schema: z.boolean() }),
        checkpoint('fetch', async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return ++fetched;
        }),
      ]);
      return { a, b, page };
    });
    const waiting = await parallel.run(undefined);
    expect(waiting.waits?.map((pending) => pending.id)).toEqual(['legal:1', 'editor:1']);
    const fetch = (await runtime.executions.checkpoints(waiting.executionId)).find((record) => record.id === 'fetch:1');
    expect(fetch?.status).toBe('completed');
    await runtime.executions.input(waiting.executionId, 'legal', true);
    await runtime.executions.input(waiting.executionId, 'editor', false);
    const done = await parallel.resume(waiting.executionId);
    expect(done.output).toEqual({ a: true, b: false, page: 1 });
    expect(fetched).toBe(1);
  });

  it('throws WaitTimeoutError inside the flow when the timeout passed without input', async () => {
    const { runtime } = setup();
    const timed = runtime.flow('timed', async () => {
      try {
        return await wait('approve', { schema: z.boolean(), timeout: 10 });
      } catch (error) {
        return WaitTimeoutError.isInstance(error) ? 'timed out' : 'other';
      }
    });
    const waiting = await timed.run(undefined);
    expect(waiting.waits?.[0]?.expiresAt).toBeGreaterThan(0);
    // Recovery takes the execution up once the wait's timeout has passed.
    const report = await vi.waitFor(async () => {
      const [found] = await runtime.executions.recover();
      if (!found) throw new Error('the wait has not timed out yet');
      return found;
    });
    expect(report.result).toMatchObject({ status: 'completed', output: 'timed out' });
  });

  it('refuses input for an unknown wait, naming the pending ones', async () => {
    const { runtime } = setup();
    const waiting = await runtime.flow('w', async () => wait('approve', { schema: z.boolean() })).run(undefined);
    await expect(runtime.executions.input(waiting.executionId, 'aprove', true)).rejects.toThrow(/Pending waits: approve:1/);
  });

  it('asks again when input passes the JSON Schema but not a zod refinement', async () => {
    const { runtime } = setup();
    const picky = runtime.flow('picky', async () => wait('score', { schema: z.number().refine((value) => value % 2 === 0, 'must be even') }));
    const waiting = await picky.run(undefined);
    await runtime.executions.input(waiting.executionId, 'score', 3);
    const again = await picky.resume(waiting.executionId);
    expect(again.status).toBe('waiting');
    const [pending] = await runtime.executions.waits(waiting.executionId);
    expect(pending).toMatchObject({ status: 'pending', metadata: { refusedInput: { issues: [{ message: 'must be even' }] } } });
    await runtime.executions.input(waiting.executionId, 'score', 4);
    expect(await picky.resume(waiting.executionId)).toMatchObject({ status: 'completed', output: 4 });
  });

  it('is refused outside a flow', async () => {
    await expect(wait('x', { schema: z.boolean() })).rejects.toSatisfy((error) => KeelError.isInstance(error));
  });
});

describe('replay', () => {
  async function recorded() {
    const { runtime, store } = setup();
    const calls: string[] = [];
    const scout = runtime.flow('scout', async (topic: string) => {
      const hits = await checkpoint('search', () => (calls.push('search'), [`${topic}-1`, `${topic}-2`]));
      const picked = await checkpoint('pick', () => (calls.push('pick'), hits[0]!));
      return checkpoint('write', () => (calls.push('write'), `brief about ${picked}`));
    });
    const original = await scout.run('ai');
    calls.length = 0;
    return { runtime, store, scout, calls, original };
  }

  it('creates a new execution linked to the original, reusing checkpoints before `from`', async () => {
    const { runtime, scout, calls, original } = await recorded();
    const replayed = await scout.replay(original.executionId, { from: 'pick:1', executionId: 'ex_replay_of_scout' });
    expect(replayed.executionId).toBe('ex_replay_of_scout');
    expect(replayed).toMatchObject({ status: 'completed', output: 'brief about ai-1' });
    expect(calls).toEqual(['pick', 'write']);
    const info = await runtime.executions.get(replayed.executionId);
    const originalInfo = await runtime.executions.get(original.executionId);
    // A replay runs on the replaying code's version and remembers the original's.
    expect(info.replayOf).toEqual({
      executionId: original.executionId,
      from: 'pick:1',
      overridden: [],
      hermetic: false,
      codeVersion: originalInfo.codeVersion,
    });
    expect(info.codeVersion).toBe(runtime.versionOf('scout').version);
  });

  it('replaces outputs with overrides and re-runs what follows', async () => {
    const { scout, calls, original } = await recorded();
    const replayed = await scout.replay(original.executionId, { from: 'pick:1', overrides: { 'pick:1': 'robotics-9' } });
    expect(replayed.output).toBe('brief about robotics-9');
    expect(calls).toEqual(['write']);
  });

  it('re-runs what follows the earliest override when no `from` is given', async () => {
    const { scout, calls, original } = await recorded();
    const replayed = await scout.replay(original.executionId, { overrides: { 'search:1': ['robots-1'] } });
    expect(replayed.output).toBe('brief about robots-1');
    expect(calls).toEqual(['pick', 'write']);
  });

  it("keeps every other record in a hermetic replay with overrides, so only the flow's own code sees the new value", async () => {
    const { scout, calls, original } = await recorded();
    const replayed = await scout.replay(original.executionId, { overrides: { 'write:1': 'edited brief' }, hermetic: true });
    expect(replayed).toMatchObject({ status: 'completed', output: 'edited brief' });
    expect(calls).toEqual([]);
  });

  it('hermetic replay returns recorded outputs and fails on calls without a record', async () => {
    const { scout, calls, original } = await recorded();
    const same = await scout.replay(original.executionId, { hermetic: true });
    expect(same).toMatchObject({ status: 'completed', output: 'brief about ai-1' });
    expect(calls).toEqual([]);
    const missing = await scout.replay(original.executionId, { from: 'write:1', hermetic: true });
    expect(missing.status).toBe('failed');
    expect(ReplayMissError.isInstance(missing.error)).toBe(true);
    expect(missing.error?.message).toContain('write:1');
  });

  it('names the checkpoints that exist when `from` is unknown', async () => {
    const { scout, original } = await recorded();
    await expect(scout.replay(original.executionId, { from: 'pik:1' })).rejects.toSatisfy(
      (error) => CheckpointNotFoundError.isInstance(error) && /search:1, pick:1, write:1/.test((error as Error).message),
    );
  });
});

describe('cancel', () => {
  it('aborts a running body at its next checkpoint and exposes the AbortSignal', async () => {
    const { runtime } = setup();
    let sawAbort = false;
    const ran: string[] = [];
    const started = signal();
    const long = runtime.flow('long', async () => {
      await checkpoint(
        'first',
        ({ signal }) =>
          new Promise<void>((resolve) => {
            started.fire();
            signal.addEventListener('abort', () => {
              sawAbort = true;
              resolve();
            });
          }),
      );
      await checkpoint('second', () => ran.push('second'));
    });
    const running = long.run(undefined);
    await started.fired;
    const [execution] = await runtime.executions.list();
    expect(await runtime.executions.cancel(execution!.id)).toEqual({ status: 'cancelling' });
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(sawAbort).toBe(true);
    expect(ran).toEqual([]);
    expect((await runtime.executions.get(execution!.id)).status).toBe('cancelled');
  });

  it('cancels a waiting execution at once, and a cancel request reaches a body run by another runtime', async () => {
    const store = memoryStore();
    const a = createRuntime({ store });
    const b = createRuntime({ store });
    const waiting = await a.flow('c1', async () => wait('x', { schema: z.boolean() })).run(undefined);
    expect(await b.executions.cancel(waiting.executionId)).toEqual({ status: 'cancelled' });

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const started = signal();
    const running = a
      .flow('c2', async () => {
        await checkpoint('one', () => {
          started.fire();
          return gate;
        });
        await checkpoint('two', () => ran.push('two'));
      })
      .run(undefined);
    await started.fired;
    const [execution] = await b.executions.list({ flow: 'c2' });
    expect(await b.executions.cancel(execution!.id)).toEqual({ status: 'cancelling' });
    release();
    expect((await running).status).toBe('cancelled');
    expect(ran).toEqual([]);
  });
});

describe('cancel across runtimes', () => {
  it('aborts a long call of a body another runtime runs, without waiting for its next checkpoint', async () => {
    const store = memoryStore();
    const a = createRuntime({ store });
    const b = createRuntime({ store });
    let aborted = false;
    const started = signal();
    const running = a
      .flow('long-call', async () =>
        checkpoint(
          'stream_tokens',
          ({ signal }) =>
            new Promise((_, reject) => {
              started.fire();
              signal.addEventListener('abort', () => {
                aborted = true;
                reject(signal.reason);
              });
            }),
        ),
      )
      .run(undefined);
    await started.fired;
    const [execution] = await b.executions.list();
    expect(await b.executions.cancel(execution!.id)).toEqual({ status: 'cancelling' });
    expect((await running).status).toBe('cancelled');
    expect(aborted).toBe(true);
  });
});

describe('serialization', () => {
  it('keeps Date, Uint8Array, Map, Set, BigInt, URL, Error and undefined through a resume', async () => {
    const { runtime } = setup();
    const value = {
      when: new Date('2026-01-02T03:04:05.000Z'),
      bytes: new Uint8Array([1, 2, 255]),
      map: new Map<string, unknown>([
        ['a', 1],
        ['b', new Set([1, 2])],
      ]),
      big: 12345678901234567890n,
      url: new URL('https://example.com/a?b=c'),
      error: Object.assign(new TypeError('bad'), { code: 'E_BAD' }),
      missing: undefined,
      list: [undefined, Number.NaN, Number.POSITIVE_INFINITY],
      $keel: 'not a tag',
    };
    let produced = 0;
    const rich = runtime.flow('rich', async () => {
      const stored = await checkpoint('produce', () => (produced++, value));
      await wait('go', { schema: z.literal(true) });
      return stored;
    });
    const waiting = await rich.run(undefined);
    await runtime.executions.input(waiting.executionId, 'go', true);
    const done = await rich.resume(waiting.executionId);
    expect(produced).toBe(1);
    const output = done.output as typeof value;
    expect(output.when).toEqual(value.when);
    expect(output.bytes).toEqual(value.bytes);
    expect(output.map).toEqual(value.map);
    expect(output.big).toBe(value.big);
    expect(output.url.href).toBe(value.url.href);
    expect(output.error).toBeInstanceOf(TypeError);
    expect(output.error).toMatchObject({ message: 'bad', code: 'E_BAD' });
    expect('missing' in output && output.missing === undefined).toBe(true);
    expect(output.list).toEqual([undefined, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(output.$keel).toBe('not a tag');
  });

  it('fails when recording a value it cannot store, naming the checkpoint and the path', async () => {
    const { runtime } = setup();
    class Socket {
      write() {}
    }
    const bad = runtime.flow('bad', async () => checkpoint('connect', () => ({ items: [1, { client: new Socket() }] })));
    const result = await bad.run(undefined);
    expect(result.status).toBe('failed');
    const error = result.error as SerializationError;
    expect(SerializationError.isInstance(error)).toBe(true);
    expect(error.subject).toContain('connect:1');
    expect(error.path).toBe('$.items[1].client');
    expect(error.message).toContain('Socket');
  });

  it('rejects an input that cannot be stored before creating the execution', async () => {
    const { runtime } = setup();
    const f = runtime.flow('f', async (input: unknown) => input);
    await expect(f.run({ callback: () => 1 })).rejects.toSatisfy((error) => SerializationError.isInstance(error));
    expect(await runtime.executions.list()).toEqual([]);
  });
});

describe('the default runtime', () => {
  it('runs top-level flows on the configured store, and load() reads their artifacts', async () => {
    const store = memoryStore();
    configure({ store });
    const hello = flow('hello', async (name: string) => {
      const greeting = await checkpoint('greet', () => `hello ${name}`);
      await save('greeting', greeting);
      return greeting.length;
    });
    const result = await hello.run('keel');
    expect(result).toMatchObject({ status: 'completed', output: 10 });
    expect(await load(result.executionId, 'greeting')).toBe('hello keel');
    expect(await load(result.executionId, 'output')).toBe(10);
    expect((await store.listExecutions()).map((execution) => execution.flow)).toEqual(['hello']);
  });
});

describe('logs across sessions', () => {
  it('does not write again the lines a resumed body replays, and recover() reports what it starts', async () => {
    const { runtime } = setup();
    const chatty = runtime.flow('chatty', async () => {
      log.info('starting');
      const draft = await checkpoint('draft', () => 'text');
      log.info('drafted', { draft });
      const ok = await wait('approve', { schema: z.boolean() });
      log.info('approved', { ok });
      return ok;
    });
    const waiting = await chatty.run(undefined);
    await runtime.executions.input(waiting.executionId, 'approve', true);
    const started: string[] = [];
    const [report] = await runtime.executions.recover({ onStart: ({ executionId }) => started.push(executionId) });
    expect(report?.result?.status).toBe('completed');
    expect(started).toEqual([waiting.executionId]);
    const lines = await runtime.executions.logs(waiting.executionId);
    expect(lines.map((line) => [line.message, line.session])).toEqual([
      ['starting', 1],
      ['drafted', 1],
      ['approved', 2],
    ]);
  });
});

describe('artifacts and logs', () => {
  it('stores artifacts content-addressed, keeps the return value as `output`, and ties logs to checkpoints', async () => {
    const { runtime, store } = setup();
    const report = '# Brief\n\nAI news of the day.';
    const writer = runtime.flow('writer', async () => {
      log.info('starting', { topic: 'ai' });
      await checkpoint('draft', async () => {
        log.warn('draft is short', { words: 5 });
        await save('draft', report, { type: 'markdown' });
      });
      await save('final_report', report, { type: 'markdown' });
      return { words: 5 };
    });
    const result = await writer.run(undefined);
    const artifacts = await runtime.executions.artifacts(result.executionId);
    expect(artifacts.map((artifact) => [artifact.name, artifact.type, artifact.checkpointId])).toEqual([
      ['draft', 'markdown', 'draft:1'],
      ['final_report', 'markdown', null],
      ['output', 'json', null],
    ]);
    expect(artifacts[0]!.payload).toEqual(artifacts[1]!.payload);
    expect((await runtime.executions.artifact(result.executionId, 'final_report')).value).toBe(report);
    expect(await store.getBlob(artifacts[0]!.payload.hash)).toBe(JSON.stringify(report));
    const logs = await runtime.executions.logs(result.executionId);
    expect(logs.map((line) => [line.level, line.message, line.checkpointId, line.fields])).toEqual([
      ['info', 'starting', null, { topic: 'ai' }],
      ['warn', 'draft is short', 'draft:1', { words: 5 }],
    ]);
    await expect(runtime.executions.artifact(result.executionId, 'report')).rejects.toThrow(/final_report/);
  });
});

/** A one-time signal a test awaits instead of sleeping: fired by the code it waits for. */
function signal(): { fire: () => void; fired: Promise<void> } {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fire, fired };
}
