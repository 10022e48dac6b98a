import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BlobMissingError, createRuntime, memoryStore, DivergenceError, ExecutionWaitingError, KeelError } from '../src/index.js';
import {
  CallPolicy,
  approvalSchema,
  checkpointIdFor,
  checkpointKey,
  durableCall,
  executionsWithKey,
  normalizeRequest,
  openWait,
  ordinalKey,
  RecordKeeper,
  rekeyExecution,
  requestFingerprint,
  runInFlow,
} from '../src/adapter.js';

describe('requestFingerprint', () => {
  it('is versioned and the same for the same request built in another order', () => {
    const fingerprint = requestFingerprint({ model: 'm', messages: [{ role: 'user', content: 'hi' }], signal: new AbortController().signal });
    expect(fingerprint).toMatch(/^fp2:[0-9a-f]{64}$/);
    expect(requestFingerprint({ messages: [{ content: 'hi', role: 'user' }], model: 'm' })).toBe(fingerprint);
    expect(requestFingerprint({ model: 'm', messages: [{ role: 'user', content: 'hello' }] })).not.toBe(fingerprint);
  });

  it('normalizes what is not data instead of failing on it', () => {
    class Client {}
    const circular: Record<string, unknown> = { at: new Date(0), client: new Client(), call: () => 1, big: 2n };
    circular.self = circular;
    expect(normalizeRequest(circular)).toEqual({ at: '1970-01-01T00:00:00.000Z', big: '2', client: '[Client]', self: '[circular]' });
  });
});

describe('the divergence check across fingerprint schemes', () => {
  async function resumedWith(recorded: string, current: string, formerFingerprints?: readonly string[]) {
    const runtime = createRuntime({ store: memoryStore() });
    let fingerprint = recorded;
    let former: readonly string[] | undefined;
    let calls = 0;
    const agent = runtime.flow('agent', async () => {
      await durableCall({ name: 'model', kind: 'model', fingerprint, ...(former ? { formerFingerprints: former } : {}) }, () => ++calls);
      await openWait('go', { schema: z.literal(true) });
      return 'done';
    });
    const waiting = await agent.run(undefined);
    await runtime.executions.input(waiting.executionId, 'go', true);
    fingerprint = current;
    former = formerFingerprints;
    const resumed = await agent.resume(waiting.executionId);
    return { ...resumed, calls };
  }

  it('does not compare a fingerprint of an older scheme with a current one', async () => {
    const resumed = await resumedWith('sha256:9494a613241ba9bc', requestFingerprint({ prompt: 'a' }));
    expect(resumed).toMatchObject({ status: 'completed', output: 'done' });
  });

  it("takes a record made under the adapter's earlier normal form of the request for the same call", async () => {
    const before = requestFingerprint({ prompt: 'a' });
    const resumed = await resumedWith(before, requestFingerprint({ prompt: 'a', model: 'gpt-4o' }), [before]);
    expect(resumed).toMatchObject({ status: 'completed', output: 'done', calls: 1 });
  });

  it('still fails with DivergenceError when two fingerprints of one scheme differ', async () => {
    const resumed = await resumedWith(requestFingerprint({ prompt: 'a' }), requestFingerprint({ prompt: 'b' }));
    expect(resumed.status).toBe('failed');
    expect(DivergenceError.isInstance(resumed.error)).toBe(true);
  });
});

describe('CallPolicy', () => {
  it('resolves capture by tool, else kind, else full, and redacts captured input', () => {
    const policy = new CallPolicy({
      capture: { tool: 'metadata', redact: (value, call) => (call.name === 'login' ? '[redacted]' : value) },
      tools: { search: { capture: 'none' }, login: { capture: 'full', retries: 2 } },
      retries: { tool: { retries: 1, timeout: 5 } },
    });
    expect(policy.captureLevel('model', 'model')).toBe('full');
    expect(policy.captureLevel('tool', 'publish')).toBe('metadata');
    expect(policy.captureLevel('tool', 'search')).toBe('none');
    expect(policy.captured('tool', 'login', { password: 'x' }, { tool: 'login' })).toEqual({ input: '[redacted]', metadata: { tool: 'login' } });
    expect(policy.captured('tool', 'publish', { title: 't' }, { tool: 'publish' })).toEqual({ metadata: { tool: 'publish' } });
    expect(policy.captured('tool', 'search', { q: 1 }, {})).toEqual({});
    expect(policy.retries('tool', 'login')).toEqual({ retries: 2 });
    expect(policy.retries('tool', 'publish')).toEqual({ retries: 1, timeout: 5 });
    expect(policy.retries('model', 'model')).toEqual({});
  });
});

describe('checkpoint keys', () => {
  it('knows the id of a call before it is made, in the scope it runs in', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const seen: string[] = [];
    const agent = runtime.flow('agent', async () => {
      await durableCall({ name: 'turn' }, async () => {
        for (let index = 0; index < 2; index++) {
          const key = ordinalKey('run_state');
          const expected = checkpointIdFor('run_state', key);
          await durableCall({ name: 'run_state', key }, ({ checkpointId }) => seen.push(`${expected}=${checkpointId}`));
        }
      });
    });
    await agent.run(undefined);
    expect(seen).toEqual(['turn:1/run_state:1=turn:1/run_state:1', 'turn:1/run_state:2=turn:1/run_state:2']);
    expect(checkpointKey('call/7:a b')).toBe('call_7_a_b');
  });
});

describe('executions by key', () => {
  it('finds the execution runInFlow opened for a key, and a new key retires it', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const stopped = await runInFlow({ name: 'chat', key: 'thread:1', runtime }, async () => openWait('next', { schema: z.string() }));
    const [found] = await executionsWithKey(runtime, 'chat', ['thread:1'], ['waiting']);
    expect(found?.id).toBe(stopped.executionId);
    await rekeyExecution(runtime, found!, 'thread:1#replaced', { replaced: true });
    expect(await executionsWithKey(runtime, 'chat', ['thread:1'])).toEqual([]);
    expect((await executionsWithKey(runtime, 'chat', ['thread:1#replaced']))[0]?.metadata).toMatchObject({ replaced: true });
  });
});

describe('the one approval schema and waiting error', () => {
  it('approval decisions are { approve, reason? }', () => {
    expect(approvalSchema.parse({ approve: false, reason: 'no' })).toEqual({ approve: false, reason: 'no' });
    expect(approvalSchema.safeParse({ approved: true }).success).toBe(false);
  });

  it('ExecutionWaitingError names the execution and the wait, and subclasses stay instances', () => {
    const waits = [{ name: 'approve_publish', id: 'approve_publish:1', schema: {} }];
    const error = new ExecutionWaitingError({ executionId: 'ex_1', waits });
    expect(error.message).toContain('keel executions input ex_1 approve_publish:1 \'{"approve":true}\'');
    class AgentWaiting extends ExecutionWaitingError {
      override readonly name = 'AgentWaiting';
    }
    const sub = new AgentWaiting({ executionId: 'ex_2', waits, subject: 'Agent "a"' });
    expect(ExecutionWaitingError.isInstance(sub)).toBe(true);
    expect(sub.message.startsWith('Agent "a" (execution "ex_2")')).toBe(true);
    expect(ExecutionWaitingError.isInstance(new KeelError('other'))).toBe(false);
  });
});

describe('RecordKeeper', () => {
  it("keeps an adapter's records in an execution it creates completed on its first write, under a flow nobody runs", async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    const keeper = new RecordKeeper(runtime, 'keeper_thread_1', {
      flow: 'harness:thread',
      input: { thread_id: 't1' },
      metadata: { 'harness.thread_id': 't1' },
    });
    expect(await keeper.records()).toEqual([]);
    expect(await store.getExecution('keeper_thread_1')).toBeNull();

    await keeper.write('state/1', 'harness/state', { step: 1 });
    await new RecordKeeper(store, 'keeper_thread_1', { flow: 'harness:thread', input: { thread_id: 't1' } }).write('state/2', 'harness/state', { step: 2 });
    const execution = await store.getExecution('keeper_thread_1');
    expect(execution).toMatchObject({ flow: 'harness:thread', status: 'completed', lease: null, metadata: { 'harness.thread_id': 't1' } });
    expect((await keeper.records()).map((record) => record.name)).toEqual(['state/1', 'state/2']);
    expect(await keeper.read((await keeper.record('state/2'))!)).toEqual({ step: 2 });
    expect((await RecordKeeper.list(runtime, 'harness:thread')).map((record) => record.id)).toEqual(['keeper_thread_1']);

    const shared = await keeper.keepValue({ big: 'x'.repeat(100) });
    expect(await keeper.keepValue({ big: 'x'.repeat(100) })).toEqual(shared);
    expect(await keeper.readValue(shared)).toEqual({ big: 'x'.repeat(100) });
    await runtime.close();
  });

  it('says which blob and which keeper when the store lost a value', async () => {
    const keeper = new RecordKeeper(memoryStore(), 'keeper_thread_2', { flow: 'harness:thread', input: null });
    const error = await keeper.readValue({ hash: 'sha256:' + '0'.repeat(64), size: 1 }).catch((caught: unknown) => caught);
    expect(BlobMissingError.isInstance(error)).toBe(true);
    expect((error as BlobMissingError).executionId).toBe('keeper_thread_2');
  });
});
