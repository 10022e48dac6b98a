import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, memoryStore, DivergenceError } from '../src/index.js';
import { currentExecution, durableCall, durableStream, isFlowActive, openWait, runInFlow } from '../src/adapter.js';

async function* parts(items: string[], failAfter?: number) {
  for (const [index, item] of items.entries()) {
    if (failAfter !== undefined && index === failAfter) throw new Error('connection dropped');
    yield { type: 'text-delta', delta: item, at: new Date(0) };
  }
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const part of stream) out.push(part);
  return out;
}

describe('durableCall', () => {
  it('records kind, key, fingerprint, captured input and metadata', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const agent = runtime.flow('agent', async () =>
      durableCall({ name: 'search_news', kind: 'tool', key: 'call_7', fingerprint: 'sha256:abc', input: { query: 'ai' } }, ({ setMetadata }) => {
        setMetadata({ tool: 'search_news' });
        return ['a', 'b'];
      }),
    );
    const result = await agent.run(undefined);
    const [record] = await runtime.executions.checkpoints(result.executionId);
    expect(record).toMatchObject({
      id: 'search_news:call_7',
      kind: 'tool',
      fingerprint: 'sha256:abc',
      input: { query: 'ai' },
      output: ['a', 'b'],
      metadata: { tool: 'search_news' },
    });
  });

  it('gives a key reused in one scope its own record (providers reuse tool call ids across turns)', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const agent = runtime.flow('reused-keys', async () => [
      await durableCall({ name: 'search', kind: 'tool', key: 'toolu_01' }, () => 'turn 1'),
      await durableCall({ name: 'search', kind: 'tool', key: 'toolu_01' }, () => 'turn 2'),
    ]);
    const result = await agent.run(undefined);
    expect(result.output).toEqual(['turn 1', 'turn 2']);
    const records = await runtime.executions.checkpoints(result.executionId);
    expect(records.map((record) => record.id)).toEqual(['search:toolu_01', 'search:toolu_01~2']);
  });

  it('stores a captured conversation message by message, so storage grows with it, not with its square', async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    const turns = 30;
    const agent = runtime.flow('conversation', async () => {
      const messages: { role: string; content: string }[] = [];
      for (let turn = 0; turn < turns; turn++) {
        messages.push({ role: 'user', content: `question ${turn} ${'x'.repeat(200)}` });
        const reply = await durableCall({ name: 'model', kind: 'model', input: { model: 'm', messages: [...messages] } }, () => `answer ${turn}`);
        messages.push({ role: 'assistant', content: reply });
      }
    });
    const result = await agent.run(undefined);
    const records = await store.listCheckpoints(result.executionId);
    const requestBytes = records.reduce((sum, record) => sum + (record.input?.size ?? 0), 0);
    const naiveBytes = records.reduce(
      (sum, _record, turn) => sum + JSON.stringify({ messages: Array(2 * turn + 1).fill({ content: 'x'.repeat(200) }) }).length,
      0,
    );
    // Each request holds hashes (~80 bytes a message), not the messages themselves (~230 bytes each).
    expect(requestBytes).toBeLessThan(naiveBytes / 2);
    const last = (await runtime.executions.checkpoints(result.executionId)).at(-1)!;
    expect((last.input as { messages: unknown[] }).messages).toHaveLength(2 * turns - 1);
    expect((last.input as { messages: { content: string }[] }).messages[0]!.content).toMatch(/^question 0 /);
    expect(await store.getBlob(records.at(-1)!.input!.hash)).not.toContain('question 0');
  });

  it('lets unordered keyed calls change order between sessions without a divergence', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    let order = ['a', 'b'];
    const ran: string[] = [];
    const graph = runtime.flow('unordered', async () => {
      for (const node of order) await durableCall({ name: 'node', key: node, ordered: false }, () => (ran.push(node), node));
      await durableCall({ name: 'after', key: 'x', ordered: false }, () => 'after');
      return openWait('approve', { schema: z.boolean(), key: 'interrupt-7', ordered: false });
    });
    const waiting = await graph.run(undefined);
    expect(waiting.waits?.[0]?.id).toBe('approve:interrupt-7');
    await runtime.executions.input(waiting.executionId, 'approve', true);
    order = ['b', 'a'];
    expect(await graph.resume(waiting.executionId)).toMatchObject({ status: 'completed', output: true });
    expect(ran).toEqual(['a', 'b']);
  });

  it('applies the capture policy and redaction to captured inputs only', async () => {
    const runtime = createRuntime({
      store: memoryStore(),
      capture: { names: { secret_tool: 'none' }, redact: (value) => ({ ...(value as object), apiKey: '[redacted]' }) },
    });
    const agent = runtime.flow('capture', async () => {
      await durableCall({ name: 'secret_tool', kind: 'tool', input: { password: 'x' } }, () => 'ok');
      await durableCall({ name: 'model', kind: 'model', input: { prompt: 'hi', apiKey: 'sk-1' } }, () => 'reply');
    });
    const result = await agent.run(undefined);
    const records = await runtime.executions.checkpoints(result.executionId);
    expect(records[0]?.input).toBeUndefined();
    expect(records[0]?.output).toBe('ok');
    expect(records[1]?.input).toEqual({ prompt: 'hi', apiKey: '[redacted]' });
  });
});

describe('durableStream', () => {
  it('passes parts through live, records them, and replays an equivalent stream', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    let started = 0;
    const chat = runtime.flow('chat', async () => {
      const live = await collect(durableStream({ name: 'model', kind: 'model' }, () => (started++, parts(['Hel', 'lo']))));
      await openWait('go', { schema: z.literal(true) });
      return live;
    });
    const waiting = await chat.run(undefined);
    await runtime.executions.input(waiting.executionId, 'go', true);
    const done = await chat.resume(waiting.executionId);
    expect(started).toBe(1);
    expect(done.output).toEqual([
      { type: 'text-delta', delta: 'Hel', at: new Date(0) },
      { type: 'text-delta', delta: 'lo', at: new Date(0) },
    ]);
  });

  it('does not record a stream that broke, so it runs again rather than being half-replayed', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    let attempt = 0;
    const chat = runtime.flow('broken', async () =>
      collect(durableStream({ name: 'model', kind: 'model' }, () => parts(['a', 'b', 'c'], ++attempt === 1 ? 1 : undefined))),
    );
    const failed = await chat.run(undefined);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toBe('connection dropped');
    const [record] = await runtime.executions.checkpoints(failed.executionId);
    expect(record?.status).toBe('failed');
    const retried = await chat.retry(failed.executionId);
    expect(retried.output).toHaveLength(3);
    expect(attempt).toBe(2);
  });

  it('passes through untouched outside a flow', async () => {
    expect(await collect(durableStream({ name: 'model', kind: 'model' }, () => parts(['x'])))).toHaveLength(1);
  });
});

describe('flow awareness', () => {
  it('tells whether a flow is active and which execution runs', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    expect(isFlowActive()).toBe(false);
    const seen = await runtime.flow('aware', async () => ({ active: isFlowActive(), execution: currentExecution()?.executionId })).run(undefined);
    expect(seen.output).toEqual({ active: true, execution: seen.executionId });
  });

  it('runInFlow opens an execution outside a flow and continues the unfinished one on a second call', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const calls: string[] = [];
    let failSecond = true;
    const body = async () => {
      await durableCall({ name: 'model', kind: 'model' }, () => calls.push('model'));
      return durableCall({ name: 'tool', kind: 'tool' }, () => {
        calls.push('tool');
        if (failSecond) throw new Error('tool broke');
        return 'answer';
      });
    };
    const first = await runInFlow({ name: 'script-agent', input: { prompt: 'hi' }, runtime }, body);
    expect(first.status).toBe('failed');
    failSecond = false;
    const second = await runInFlow({ name: 'script-agent', input: { prompt: 'hi' }, runtime }, body);
    expect(second).toMatchObject({ executionId: first.executionId, status: 'completed', output: 'answer' });
    expect(calls).toEqual(['model', 'tool', 'tool']);
    const other = await runInFlow({ name: 'script-agent', input: { prompt: 'other' }, runtime }, body);
    expect(other.executionId).not.toBe(first.executionId);
  });

  it('runInFlow inside a flow runs in that flow', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const outer = runtime.flow('outer', async () => runInFlow({ name: 'inner' }, async () => durableCall({ name: 'x' }, () => 1)));
    const result = await outer.run(undefined);
    expect((result.output as { executionId: string }).executionId).toBe(result.executionId);
    expect((await runtime.executions.list()).length).toBe(1);
  });

  it('detects a changed request at a recorded model call', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    let prompt = 'a';
    const agent = runtime.flow('fp', async () => {
      await durableCall({ name: 'model', kind: 'model', fingerprint: prompt }, () => 1);
      await openWait('go', { schema: z.literal(true) });
    });
    const waiting = await agent.run(undefined);
    await runtime.executions.input(waiting.executionId, 'go', true);
    prompt = 'b';
    expect(DivergenceError.isInstance((await agent.resume(waiting.executionId)).error)).toBe(true);
  });
});
