import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonLine, startChild } from '@keel/testkit';
import { checkpoint, createRuntime, lowdbStore, memoryStore, traceParentKey, wait } from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const folders: string[] = [];

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});
afterEach(() => {
  exporter.reset();
  context.disable();
});
afterAll(async () => {
  trace.disable();
  await provider.shutdown();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function spans(): ReadableSpan[] {
  return exporter.getFinishedSpans();
}

function spanNamed(name: string, which: (span: ReadableSpan) => boolean = () => true): ReadableSpan {
  const found = spans().filter((span) => span.name === name && which(span));
  expect(
    found,
    `one span named "${name}" among ${spans()
      .map((span) => span.name)
      .join(', ')}`,
  ).toHaveLength(1);
  return found[0]!;
}

function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return child.parentSpanContext?.spanId === parent.spanContext().spanId && child.spanContext().traceId === parent.spanContext().traceId;
}

describe('Keel spans', () => {
  it('a session span with a span per checkpoint, nested like the checkpoint tree, with no context manager registered', async () => {
    const runtime = createRuntime({ store: memoryStore(), codeVersion: 'v7' });
    const research = runtime.flow('research', async (topic: string) => {
      const plan = await checkpoint('plan', async () => {
        const hits = await checkpoint('search_web', async () => [`${topic} habitat`], { kind: 'tool' });
        return { hits };
      });
      return checkpoint(
        'draft',
        (call) => {
          call.setMetadata({ model: { provider: 'openai', modelId: 'gpt-test' }, usage: { inputTokens: 120, outputTokens: 30 } });
          return `${plan.hits.length} notes`;
        },
        { kind: 'model' },
      );
    });
    const result = await research.run('otters', { executionId: 'traced-run' });
    expect(result.status).toBe('completed');

    const session = spanNamed('keel.run research');
    expect(session.instrumentationScope.name).toBe('@keel/core');
    expect(session.attributes).toMatchObject({
      'keel.execution.id': 'traced-run',
      'keel.flow': 'research',
      'keel.session.operation': 'run',
      'keel.session.number': 1,
      'keel.execution.status': 'completed',
      'keel.code_version': 'v7',
    });
    const plan = spanNamed('keel.step plan');
    const search = spanNamed('keel.tool search_web');
    const draft = spanNamed('keel.model draft');
    expect(isChildOf(plan, session)).toBe(true);
    expect(isChildOf(search, plan)).toBe(true);
    expect(isChildOf(draft, session)).toBe(true);
    expect(search.attributes).toMatchObject({
      'keel.checkpoint.id': 'plan:1/search_web:1',
      'keel.checkpoint.name': 'search_web',
      'keel.checkpoint.kind': 'tool',
      'keel.checkpoint.attempt': 1,
      'keel.checkpoint.status': 'completed',
      'keel.code_version': 'v7',
    });
    expect(draft.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
    });
    expect(draft.attributes['keel.reused']).toBeUndefined();
  });

  it("makes the checkpoint's span the active span while its function runs, so a harness's spans are its children", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const harness = trace.getTracer('a-harness');
    const runtime = createRuntime({ store: memoryStore() });
    const agent = runtime.flow('agent', async () =>
      checkpoint('generate', () => harness.startActiveSpan('chat gpt-test', (span) => (span.end(), 'hello')), { kind: 'model' }),
    );
    await agent.run(null);
    expect(isChildOf(spanNamed('chat gpt-test'), spanNamed('keel.model generate'))).toBe(true);
    expect(isChildOf(spanNamed('keel.model generate'), spanNamed('keel.run agent'))).toBe(true);
  });

  it('marks a failed checkpoint and a failed session as errors, with the attempts made', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const flaky = runtime.flow('flaky', async () =>
      checkpoint('fetch', () => Promise.reject(Object.assign(new Error('upstream 503'), { status: 503 })), { retries: 1, backoff: 1 }),
    );
    const result = await flaky.run(null);
    expect(result.status).toBe('failed');
    const fetch = spanNamed('keel.step fetch');
    expect(fetch.status).toMatchObject({ code: 2, message: 'upstream 503' });
    expect(fetch.attributes).toMatchObject({ 'keel.checkpoint.attempt': 2, 'keel.checkpoint.status': 'failed' });
    expect(spanNamed('keel.run flaky').attributes['keel.execution.status']).toBe('failed');
  });

  it('a replay: reused checkpoints are short spans marked keel.reused, and the session links to the original', async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    let searches = 0;
    const research = runtime.flow('research', async () => {
      const hits = await checkpoint('search_web', () => ++searches, { kind: 'tool' });
      return checkpoint('draft', (call) => (call.setMetadata({ model: 'gpt-test', usage: { inputTokens: 9, outputTokens: 4 } }), `draft ${hits}`), {
        kind: 'model',
      });
    });
    const original = await research.run(null);
    const originalSession = spanNamed('keel.run research');
    exporter.reset();

    const replayed = await research.replay(original.executionId, { from: 'draft:1' });
    expect(replayed.status).toBe('completed');
    expect(searches).toBe(1);
    const session = spanNamed('keel.replay research');
    expect(session.attributes['keel.replay.of']).toBe(original.executionId);
    expect(session.links.map((link) => [link.context.spanId, link.attributes?.['keel.link']])).toEqual([[originalSession.spanContext().spanId, 'replays']]);
    const reused = spanNamed('keel.tool search_web');
    expect(reused.attributes).toMatchObject({ 'keel.reused': true, 'keel.checkpoint.id': 'search_web:1' });
    expect(isChildOf(reused, session)).toBe(true);
    const draft = spanNamed('keel.model draft');
    expect(draft.attributes['keel.reused']).toBeUndefined();
    expect(draft.attributes['gen_ai.usage.input_tokens']).toBe(9);
  });

  it('a wait: the waiting session ends with the wait span open-ended as waiting; the resumed one links to it', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const approve = runtime.flow('approve', async () => {
      const answer = await wait('approval', { schema: z.object({ ok: z.boolean() }) });
      return checkpoint('publish', () => answer.ok);
    });
    const first = await approve.run(null);
    expect(first.status).toBe('waiting');
    const waiting = spanNamed('keel.run approve');
    expect(waiting.attributes['keel.execution.status']).toBe('waiting');
    expect(spanNamed('keel.wait approval').attributes['keel.checkpoint.status']).toBe('waiting');
    exporter.reset();

    await runtime.executions.input(first.executionId, 'approval', { ok: true });
    expect((await approve.resume(first.executionId)).status).toBe('completed');
    const resumed = spanNamed('keel.resume approve');
    expect(resumed.attributes).toMatchObject({ 'keel.session.operation': 'resume', 'keel.session.number': 2 });
    expect(resumed.links.map((link) => link.context)).toMatchObject([{ traceId: waiting.spanContext().traceId, spanId: waiting.spanContext().spanId }]);
    expect(spanNamed('keel.wait approval').attributes['keel.checkpoint.status']).toBe('completed');
  });

  it('a run killed with SIGKILL: the session that resumes it in another process links to the killed session', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'keel-tracing-'));
    folders.push(folder);
    const storeDir = join(folder, '.keel');
    const child = startChild(new URL('./fixtures/traced-crash.mjs', import.meta.url).pathname, [storeDir]);
    await child.waitForLine('writing');
    child.process.kill('SIGKILL');
    const killed = await child.exited;
    expect(killed.signal).toBe('SIGKILL');
    const killedSession = jsonLine(killed.stdout, 'session') as { traceId: string; spanId: string };

    const runtime = createRuntime({ store: lowdbStore(storeDir), leaseTtlMs: 1 });
    runtime.flow('two-steps', async (topic: string) => {
      const notes = await checkpoint('research', () => `fresh notes on ${topic}`);
      return checkpoint('write', () => `article from ${notes}`);
    });
    const reports = await runtime.executions.recover();
    expect(reports.map((report) => report.result?.status)).toEqual(['completed']);
    const resumed = spanNamed('keel.resume two-steps');
    expect(resumed.links).toHaveLength(1);
    expect(resumed.links[0]!.context).toMatchObject(killedSession);
    expect(resumed.links[0]!.attributes).toEqual({ 'keel.link': 'continues' });
    expect(spanNamed('keel.step research').attributes['keel.reused']).toBe(true);
    expect(spanNamed('keel.step write').attributes).toMatchObject({ 'keel.checkpoint.status': 'completed', 'keel.checkpoint.attempt': 2 });
    expect(reports[0]!.result?.output).toBe('article from notes on otters');
    await runtime.close();
  });
});

describe('with no tracer provider registered', () => {
  it('records nothing and writes no traceparent', async () => {
    trace.disable();
    try {
      const runtime = createRuntime({ store: memoryStore() });
      const quiet = runtime.flow('quiet', async () => checkpoint('step', () => 1));
      const result = await quiet.run(null);
      const execution = await runtime.executions.get(result.executionId);
      expect(execution.metadata?.[traceParentKey]).toBeUndefined();
      expect(spans()).toEqual([]);
    } finally {
      trace.setGlobalTracerProvider(provider);
    }
  });
});
