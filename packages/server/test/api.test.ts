import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { z } from 'zod';
import { checkpoint, createRuntime, log, lowdbStore, memoryStore, wait, type Runtime, type Store } from '@keel/core';
import { createApp, startServer, type KeelServer, type StartServerOptions } from '@keel/server';
import { startChild } from '@keel/testkit';
import { registerDemoFlows } from './fixtures/demo-flows.js';
import { call, readEvents } from './fixtures/http-client.js';

const servers: KeelServer[] = [];
const runtimes: Runtime[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.close();
    await server.idle();
  }
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

function newRuntime(store: Store = memoryStore(), codeVersion?: string): Runtime {
  const runtime = createRuntime({ store, ...(codeVersion !== undefined ? { codeVersion } : {}) });
  runtimes.push(runtime);
  return runtime;
}

async function serve(runtime: Runtime, options: Partial<StartServerOptions> = {}): Promise<{ server: KeelServer; api: (path: string) => string }> {
  const server = await startServer({ runtime, port: 0, token: null, pollIntervalMs: 20, ...options });
  servers.push(server);
  return { server, api: (path) => `${server.url}/api${path}` };
}

/** A promise the test resolves when it wants a checkpoint to finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('listing executions', () => {
  it('lists newest first, filters by flow and status, pages with before/limit, and counts calls and tokens', async () => {
    const runtime = newRuntime();
    runtime.flow('alpha', async (input: string) =>
      checkpoint(
        'model',
        (context) => {
          context.setMetadata({ model: 'gpt-4o', usage: { inputTokens: 1000, outputTokens: 100 } });
          return input.toUpperCase();
        },
        { kind: 'model' },
      ),
    );
    runtime.flow('beta', async () => wait('ok', { schema: z.boolean() }));
    const ids: string[] = [];
    for (const flow of ['alpha', 'beta', 'alpha', 'beta', 'alpha']) ids.push((await runtime.run(flow, 'x')).executionId);
    const { api } = await serve(runtime);

    const all = await call(api('/executions'));
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^application\/json/);
    expect(all.json.executions.map((execution: { id: string }) => execution.id)).toEqual([...ids].reverse());
    expect(all.json.nextCursor).toBeNull();

    const alphas = await call(api('/executions?flow=alpha'));
    expect(alphas.json.executions.map((execution: { flow: string }) => execution.flow)).toEqual(['alpha', 'alpha', 'alpha']);
    const waiting = await call(api('/executions?status=waiting'));
    expect(waiting.json.executions.map((execution: { id: string }) => execution.id)).toEqual([ids[3], ids[1]]);
    expect((await call(api('/executions?status=completed,waiting'))).json.executions).toHaveLength(5);

    const first = await call(api('/executions?limit=2'));
    expect(first.json.executions.map((execution: { id: string }) => execution.id)).toEqual([ids[4], ids[3]]);
    expect(first.json.nextCursor).toBe(ids[3]);
    const second = await call(api(`/executions?limit=2&before=${first.json.nextCursor}`));
    expect(second.json.executions.map((execution: { id: string }) => execution.id)).toEqual([ids[2], ids[1]]);
    const third = await call(api(`/executions?limit=2&before=${second.json.nextCursor}`));
    expect(third.json.executions.map((execution: { id: string }) => execution.id)).toEqual([ids[0]]);
    expect(third.json.nextCursor).toBeNull();

    const stats = all.json.executions.find((execution: { id: string }) => execution.id === ids[0]).stats;
    expect(stats).toMatchObject({ calls: 1, modelCalls: 1, inputTokens: 1000, outputTokens: 100, totalTokens: 1100 });
    expect(stats.estimatedCostUsd).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 10);

    const badStatus = await call(api('/executions?status=done'));
    expect(badStatus.status).toBe(400);
    expect(badStatus.json.error).toMatchObject({ code: 'bad_request' });
    expect(badStatus.json.error.message).toContain('"done"');
    expect((await call(api('/executions?limit=0'))).json.error.code).toBe('bad_request');
    expect((await call(api('/executions?before=../x'))).json.error.code).toBe('bad_request');
  });
});

describe('one execution', () => {
  it('shows the execution, its checkpoint tree (nested, with or without payloads), one checkpoint, and its waits', async () => {
    const runtime = newRuntime();
    runtime.flow('nested', async () => {
      const sum = await checkpoint('outer', async () => (await checkpoint('inner', () => 1)) + (await checkpoint('inner', () => 2)));
      return wait('confirm', { schema: z.boolean(), question: `Is ${sum} right?` });
    });
    const { executionId } = await runtime.run('nested', { n: 1 });
    const { api } = await serve(runtime);

    const detail = await call(api(`/executions/${executionId}`));
    expect(detail.json).toMatchObject({ id: executionId, flow: 'nested', status: 'waiting', input: { n: 1 }, sessions: 1 });
    expect(detail.json.waits).toEqual([
      expect.objectContaining({ id: 'confirm:1', status: 'pending', question: 'Is 3 right?', schema: expect.objectContaining({ type: 'boolean' }) }),
    ]);

    const tree = await call(api(`/executions/${executionId}/checkpoints`));
    expect(tree.json.count).toBe(4);
    expect(tree.json.checkpoints.map((node: { id: string }) => node.id)).toEqual(['outer:1', 'confirm:1']);
    const outer = tree.json.checkpoints[0];
    expect(outer).toMatchObject({ kind: 'step', status: 'completed', output: 3, attempts: 1, reused: false });
    expect(outer.children.map((node: { id: string; output: number }) => [node.id, node.output])).toEqual([
      ['outer:1/inner:1', 1],
      ['outer:1/inner:2', 2],
    ]);
    expect(typeof outer.durationMs).toBe('number');

    const light = await call(api(`/executions/${executionId}/checkpoints?payloads=false`));
    expect(light.json.checkpoints[0].output).toBeUndefined();
    expect(light.json.checkpoints[0].outputSize).toBeGreaterThan(0);

    const inner = await call(api(`/executions/${executionId}/checkpoints/${encodeURIComponent('outer:1/inner:2')}`));
    expect(inner.json).toMatchObject({ id: 'outer:1/inner:2', parentId: 'outer:1', output: 2 });
    const missing = await call(api(`/executions/${executionId}/checkpoints/${encodeURIComponent('outer:1/inner:9')}`));
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'checkpoint_not_found', executionId, checkpointId: 'outer:1/inner:9' });

    const pending = await call(api(`/executions/${executionId}/waits?status=pending`));
    expect(pending.json.waits.map((entry: { id: string }) => entry.id)).toEqual(['confirm:1']);
  });

  it('shows a model request stored as a chain whole, in the checkpoint list and on its own', async () => {
    const runtime = newRuntime();
    const requests: unknown[] = [];
    runtime.flow('loop', async () => {
      const messages = [{ role: 'user', content: 'Research it.' }];
      for (let step = 0; step < 4; step++) {
        const request = { model: 'm', messages: [...messages] };
        requests.push(structuredClone(request));
        const reply = await checkpoint('model', () => ({ role: 'assistant', content: `step ${step}` }), { kind: 'model', input: request });
        messages.push(reply, { role: 'tool', content: `result ${step}` });
      }
    });
    const { executionId } = await runtime.run('loop', undefined);
    const { api } = await serve(runtime);
    const tree = await call(api(`/executions/${executionId}/checkpoints`));
    expect(tree.json.checkpoints.map((node: { input: unknown }) => node.input)).toEqual(requests);
    const last = await call(api(`/executions/${executionId}/checkpoints/${encodeURIComponent('model:4')}`));
    expect(last.json.input).toEqual(requests[3]);
  });

  it('answers unknown and malformed ids with JSON errors that name them', async () => {
    const runtime = newRuntime();
    const { api } = await serve(runtime);
    for (const path of ['', '/checkpoints', '/waits', '/artifacts', '/logs']) {
      const unknown = await call(api(`/executions/ex_00000000000000000${path}`));
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
      expect(unknown.json.error.code).toBe('execution_not_found');
      expect(unknown.json.error.message).toContain('"ex_00000000000000000"');
      expect(unknown.json.error.executionId).toBe('ex_00000000000000000');
    }
    const malformed = await call(api(`/executions/${encodeURIComponent('../../etc/passwd')}`));
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('bad_request');
    const resume = await call(api('/executions/ex_00000000000000000/resume'), { method: 'POST' });
    expect(resume.status).toBe(404);
    expect(resume.json.error.code).toBe('execution_not_found');
    const route = await call(api('/nothing-here'));
    expect(route.status).toBe(404);
    expect(route.json.error.code).toBe('route_not_found');
  });
});

describe('waits', () => {
  it('takes input like a webhook: validated against the stored schema, refused with issues, stored once, resumed on request', async () => {
    const runtime = newRuntime();
    registerDemoFlows(runtime);
    const { executionId } = await runtime.run('news_scout', 'AI infrastructure');
    const { api, server } = await serve(runtime);
    const input = (wait: string, query = '') => api(`/executions/${executionId}/waits/${wait}/input${query}`);

    const invalid = await call(input('approve_publish'), { body: { approved: 'yes' } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error).toMatchObject({ code: 'wait_input_invalid', executionId, waitId: 'approve_publish:1' });
    expect(invalid.json.error.issues).toEqual([expect.objectContaining({ path: '/approved' })]);
    expect(invalid.json.error.message).toContain(executionId);
    expect(invalid.json.error.message).toContain('approve_publish:1');

    const plainText = await call(input('approve_publish'), { raw: '{"approved":true}', headers: { 'content-type': 'text/plain' } });
    expect(plainText.status).toBe(415);
    expect(plainText.json.error.code).toBe('unsupported_media_type');
    const broken = await call(input('approve_publish'), { raw: '{"approved":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('bad_request');
    const empty = await call(input('approve_publish'), { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(empty.json.error.code).toBe('bad_request');
    const unknownWait = await call(input('approve_payment'), { body: true });
    expect(unknownWait.status).toBe(404);
    expect(unknownWait.json.error).toMatchObject({ code: 'wait_not_found', executionId, wait: 'approve_payment', pending: ['approve_publish:1'] });
    expect((await call(api(`/executions/${executionId}`))).json.status).toBe('waiting');

    const accepted = await call(input('approve_publish', '?resume=true&resolvedBy=approvals-service'), { body: { approved: true, comment: 'ship it' } });
    expect([200, 202]).toContain(accepted.status);
    expect(accepted.json).toMatchObject({ executionId, waitId: 'approve_publish:1', pending: [] });
    expect(accepted.json.resume.executionId).toBe(executionId);
    await server.idle();

    const done = await call(api(`/executions/${executionId}`));
    expect(done.json.status).toBe('completed');
    expect(done.json.output).toMatchObject({ published: true });
    expect(done.json.waits[0]).toMatchObject({ status: 'resolved', resolvedBy: 'approvals-service', input: { approved: true, comment: 'ship it' } });
    // The resume reused the five calls made before the wait: 1,350 + 6,220 tokens not paid again.
    expect(done.json.reuse).toMatchObject({ basis: 'resume', session: 2, calls: 5, modelCalls: 2, totalTokens: 7570 });
    expect(done.json.reuse.ids).toEqual(['model:1', 'search_web:1', 'search_web:2', 'fetch_page:1', 'model:2']);
    const tree = await call(api(`/executions/${executionId}/checkpoints?payloads=false`));
    const reused = tree.json.checkpoints.filter((node: { reused: boolean }) => node.reused).map((node: { id: string }) => node.id);
    expect(reused).toEqual(done.json.reuse.ids);

    const again = await call(input('approve_publish'), { body: { approved: false } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('wait_not_pending');
    expect(again.json.error.message).toContain('already answered');
  });
});

describe('operations', () => {
  it('resumes in the server process: 202 while it runs, then it completes; resuming a completed run is a conflict', async () => {
    const runtime = newRuntime();
    const slow = gate();
    runtime.flow('gated', async () => {
      const go = await wait('go', { schema: z.boolean() });
      return checkpoint('slow', async () => {
        await slow.promise;
        return go ? 'went' : 'stayed';
      });
    });
    const { executionId } = await runtime.run('gated', null);
    const { api, server } = await serve(runtime);

    const stored = await call(api(`/executions/${executionId}/waits/go/input`), { body: true });
    expect(stored.status).toBe(200);
    expect((await call(api(`/executions/${executionId}`))).json.status).toBe('waiting');

    const resumed = await call(api(`/executions/${executionId}/resume`), { method: 'POST' });
    expect(resumed.status).toBe(202);
    expect(resumed.json).toEqual({ executionId, operation: 'resume', status: 'running' });
    expect(server.running()).toEqual([executionId]);
    const running = await call(api(`/executions/${executionId}`));
    expect(running.json.status).toBe('running');
    expect(running.json.lease.owner).toBe(runtime.ownerId);
    expect(running.json.abandoned).toBe(false);

    const twice = await call(api(`/executions/${executionId}/resume`), { method: 'POST' });
    expect(twice.status).toBe(409);
    expect(twice.json.error.code).toBe('execution_leased');

    slow.open();
    await server.idle();
    const done = await call(api(`/executions/${executionId}`));
    expect(done.json).toMatchObject({ status: 'completed', output: 'went', sessions: 2 });
    const again = await call(api(`/executions/${executionId}/resume`), { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('execution_state_invalid');
    expect(again.json.error.message).toContain('completed');
  });

  it('refuses to resume an execution another process holds', async () => {
    const store = memoryStore();
    const holder = newRuntime(store);
    const server = newRuntime(store);
    const held = gate();
    for (const runtime of [holder, server]) runtime.flow('held', async () => checkpoint('work', () => held.promise.then(() => 'done')));
    const run = holder.run('held', null, { executionId: 'held-by-another' });
    const { api } = await serve(server);
    for (;;) {
      const current = await call(api('/executions/held-by-another'));
      if (current.status === 200 && current.json.status === 'running') break;
    }
    const refused = await call(api('/executions/held-by-another/resume'), { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'execution_leased', executionId: 'held-by-another' });
    expect(refused.json.error.message).toContain('held-by-another');
    held.open();
    expect((await run).status).toBe('completed');
  });

  it('retries a failed run, reusing what completed; ?wait=true answers with the result', async () => {
    const runtime = newRuntime();
    let broken = true;
    let planned = 0;
    runtime.flow('once_broken', async () => {
      await checkpoint('plan', () => ++planned);
      return checkpoint(
        'act',
        () => {
          if (broken) throw new Error('the tool was down');
          return 'acted';
        },
        { kind: 'tool' },
      );
    });
    const { executionId } = await runtime.run('once_broken', null);
    const { api } = await serve(runtime);

    const failed = await call(api(`/executions/${executionId}`));
    expect(failed.json.status).toBe('failed');
    expect(failed.json.error).toMatchObject({ name: 'Error', message: 'the tool was down' });
    expect(failed.json.failedCheckpoint).toMatchObject({ id: 'act:1', kind: 'tool', status: 'failed', error: { message: 'the tool was down' } });
    expect(failed.json.stats).toMatchObject({ failed: 1, toolCalls: 1 });

    const resume = await call(api(`/executions/${executionId}/resume`), { method: 'POST' });
    expect(resume.status).toBe(409);
    expect(resume.json.error.message).toContain('Use retry');

    broken = false;
    const retried = await call(api(`/executions/${executionId}/retry?wait=true`), { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ executionId, status: 'completed', output: 'acted' });
    expect(planned).toBe(1);
    const again = await call(api(`/executions/${executionId}/retry`), { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('execution_state_invalid');
  });

  it('cancels a waiting execution; cancelling it again is a conflict', async () => {
    const runtime = newRuntime();
    runtime.flow('asks', async () => wait('anything', { schema: z.string() }));
    const { executionId } = await runtime.run('asks', null);
    const { api } = await serve(runtime);
    const cancelled = await call(api(`/executions/${executionId}/cancel`), { method: 'POST' });
    expect(cancelled.json).toEqual({ executionId, status: 'cancelled' });
    expect((await call(api(`/executions/${executionId}`))).json.status).toBe('cancelled');
    const again = await call(api(`/executions/${executionId}/cancel`), { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('execution_state_invalid');
  });

  it('replays from a checkpoint with overrides, live or hermetic, into a new execution linked to the original', async () => {
    const runtime = newRuntime();
    registerDemoFlows(runtime);
    const { executionId } = await runtime.run('news_scout', 'robotics');
    await runtime.executions.input(executionId, 'approve_publish', { approved: true });
    expect((await runtime.executions.resume(executionId)).status).toBe('completed');
    const { api, server } = await serve(runtime);
    const replay = (body: unknown, query = '') => call(api(`/executions/${executionId}/replay${query}`), { body });

    const overridden = await replay({ overrides: { 'model:2': '# Edited brief\n\nShorter.' }, hermetic: true }, '?wait=true');
    expect(overridden.status).toBe(200);
    expect(overridden.json).toMatchObject({ status: 'completed', replayOf: executionId, output: { published: true, title: '# Edited brief' } });
    const copy = await call(api(`/executions/${overridden.json.executionId}`));
    // A replay runs on the replaying code's version and remembers the original's.
    const { codeVersion } = await runtime.executions.get(executionId);
    expect(copy.json.replayOf).toEqual({ executionId, overridden: ['model:2'], hermetic: true, ...(codeVersion !== undefined ? { codeVersion } : {}) });
    expect(copy.json.reuse).toMatchObject({ basis: 'replay', modelCalls: 1, totalTokens: 1350 });
    const copyTree = await call(api(`/executions/${overridden.json.executionId}/checkpoints?payloads=false`));
    const model2 = copyTree.json.checkpoints.find((node: { id: string }) => node.id === 'model:2');
    expect(model2).toMatchObject({ overridden: true, reused: false });

    const background = await replay({ from: 'publish:1' });
    expect([200, 202]).toContain(background.status);
    expect(background.json.executionId).not.toBe(executionId);
    expect(background.json.replayOf).toBe(executionId);
    await server.idle();
    const live = await call(api(`/executions/${background.json.executionId}`));
    expect(live.json).toMatchObject({ status: 'completed', replayOf: { executionId, from: 'publish:1', hermetic: false } });

    const hermeticMiss = await replay({ from: 'publish:1', hermetic: true }, '?wait=true');
    expect(hermeticMiss.json).toMatchObject({ status: 'failed', error: { name: 'ReplayMissError' } });
    expect(hermeticMiss.json.error.message).toContain('publish:1');

    const unknownFrom = await replay({ from: 'publish:9' });
    expect(unknownFrom.status).toBe(404);
    expect(unknownFrom.json.error).toMatchObject({ code: 'checkpoint_not_found', checkpointId: 'publish:9' });
    expect(unknownFrom.json.error.message).toContain('publish:1');
    expect((await replay({ hermetic: 'yes' })).json.error.code).toBe('bad_request');
    expect((await replay({ form: 'publish:1' })).json.error.message).toContain('"form"');
  });

  it('lists flows and starts a queued run of one, which a worker then runs', async () => {
    const runtime = newRuntime();
    runtime.flow('echo', async (input: unknown) => ({ echoed: input }));
    runtime.flow('other', async () => null);
    const { api } = await serve(runtime);
    expect((await call(api('/flows'))).json).toEqual({ flows: [{ name: 'echo' }, { name: 'other' }] });

    const started = await call(api('/flows/echo/executions'), { body: { input: { topic: 'ai' }, metadata: { ticket: 'OPS-1' } } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ flow: 'echo', status: 'queued' });
    const queued = await call(api(`/executions/${started.json.executionId}`));
    expect(queued.json).toMatchObject({ status: 'queued', input: { topic: 'ai' }, metadata: { ticket: 'OPS-1' } });
    await runtime.executions.recover();
    expect((await call(api(`/executions/${started.json.executionId}`))).json).toMatchObject({ status: 'completed', output: { echoed: { topic: 'ai' } } });

    const unknown = await call(api('/flows/nope/executions'), { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'flow_not_found', flow: 'nope', known: ['echo', 'other'] });
  });
});

describe('costs and budgets', () => {
  it('starts with a budget, shows the budget wait, the cost spent and the cost below a tool that ran an inner agent', async () => {
    const runtime = newRuntime();
    registerDemoFlows(runtime);
    const { api } = await serve(runtime);
    const refused = await call(api('/flows/budgeted_research/executions'), { body: { input: 'chips', budget: { tokens: -5 } } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'budget_invalid' });
    expect(await runtime.executions.list()).toEqual([]);

    const started = await call(api('/flows/budgeted_research/executions'), { body: { input: 'chips', budget: { tokens: 2000 } } });
    expect(started.status).toBe(202);
    await runtime.executions.recover();
    const detail = (await call(api(`/executions/${started.json.executionId}`))).json;
    expect(detail.status).toBe('waiting');
    // 1,350 tokens after the first call: the inner agent's first call is made, its second waits.
    expect(detail.waits).toEqual([expect.objectContaining({ id: 'research:call_1/budget:model:2', name: 'budget', status: 'pending' })]);
    expect(detail.waits[0].question).toContain('2350 of 2000 tokens');
    expect(detail.cost).toEqual({
      total: { tokens: 2350, usd: expect.closeTo((1200 * 0.15 + 150 * 0.6 + 900 * 1 + 100 * 5) / 1e6, 12), calls: 2, unpricedCalls: 0 },
      spent: expect.objectContaining({ tokens: 2350, calls: 2 }),
      reused: { tokens: 0, usd: 0, calls: 0, unpricedCalls: 0 },
      budget: { tokens: 2000 },
    });
    const tree = (await call(api(`/executions/${started.json.executionId}/checkpoints`))).json.checkpoints;
    const research = tree.find((checkpoint: { id: string }) => checkpoint.id === 'research:call_1');
    expect(research.costBelow).toEqual({ tokens: 1000, usd: expect.closeTo(1400 / 1e6, 12), calls: 1, unpricedCalls: 0 });
    expect(research.children[0]).toMatchObject({ id: 'research:call_1/model:1', estimatedCostUsd: expect.closeTo(1400 / 1e6, 12) });
  });
});

describe('artifacts and logs', () => {
  it('serves artifacts with their type, refuses names that look like paths, and lists logs', async () => {
    const runtime = newRuntime();
    registerDemoFlows(runtime);
    const { executionId } = await runtime.run('news_scout', 'chips');
    await runtime.executions.input(executionId, 'approve_publish', { approved: true });
    await runtime.executions.resume(executionId);
    const { api } = await serve(runtime);

    const list = await call(api(`/executions/${executionId}/artifacts`));
    expect(list.json.artifacts.map((artifact: { name: string; type: string }) => [artifact.name, artifact.type])).toEqual([
      ['final_report', 'markdown'],
      ['output', 'json'],
    ]);
    const report = await call(api(`/executions/${executionId}/artifacts/final_report`));
    expect(report.json).toMatchObject({ name: 'final_report', type: 'markdown' });
    expect(report.json.value).toContain('# chips: weekly brief');
    const content = await call(api(`/executions/${executionId}/artifacts/final_report/content`));
    expect(content.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(content.headers.get('x-content-type-options')).toBe('nosniff');
    expect(content.headers.get('content-security-policy')).toContain('sandbox');
    expect(content.text).toBe(report.json.value);
    const output = await call(api(`/executions/${executionId}/artifacts/output/content`));
    expect(output.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(output.json).toMatchObject({ published: true });

    const missing = await call(api(`/executions/${executionId}/artifacts/summary`));
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'artifact_not_found', artifact: 'summary' });
    expect(missing.json.error.message).toContain('final_report');
    // A bare `..` segment never arrives: clients and the URL parser remove it before routing.
    for (const name of ['../output', 'a/../../b', '/etc/passwd', 'a\\b', 'bad\u0000name']) {
      const refused = await call(api(`/executions/${executionId}/artifacts/${encodeURIComponent(name)}`));
      expect(refused.status, name).toBe(400);
      expect(refused.json.error.code).toBe('bad_request');
    }

    const logs = await call(api(`/executions/${executionId}/logs`));
    // The resumed session replays 'fetched pages' before its first live call: it is not written twice.
    expect(logs.json.logs.map((line: { message: string }) => line.message)).toEqual(['fetched pages', 'published']);
    expect(logs.json.nextOffset).toBe(2);
    expect((await call(api(`/executions/${executionId}/logs?offset=1`))).json.logs.map((line: { message: string }) => line.message)).toEqual(['published']);
  });

  it('tails the log live over server-sent events until the execution ends, resuming after Last-Event-ID', async () => {
    const runtime = newRuntime();
    runtime.flow('chatty', async () => {
      log.info('before the question');
      const go = await wait('go', { schema: z.boolean() });
      log.info('after the question', { go });
      return go;
    });
    const { executionId } = await runtime.run('chatty', null);
    const { api, server } = await serve(runtime);
    const stream = api(`/executions/${executionId}/logs/stream`);

    let answered = false;
    const events = await readEvents(stream, (event) => {
      if (event.event === 'status' && JSON.parse(event.data).status === 'waiting' && !answered) {
        answered = true;
        void call(api(`/executions/${executionId}/waits/go/input?resume=true`), { body: true });
      }
      return event.event === 'end';
    });
    await server.idle();
    const logLines = events.filter((event) => event.event === 'log');
    // The resumed session runs the body from the top again, but a line it replays before its first live
    // call was written by the first session already, so it is not written twice.
    expect(logLines.map((event) => [JSON.parse(event.data).session, JSON.parse(event.data).message])).toEqual([
      [1, 'before the question'],
      [2, 'after the question'],
    ]);
    expect(logLines.map((event) => event.id)).toEqual(['1', '2']);
    expect(JSON.parse(logLines[1]!.data)).toMatchObject({ fields: { go: true } });
    const statuses = events.filter((event) => event.event === 'status').map((event) => JSON.parse(event.data).status);
    expect(statuses[0]).toBe('waiting');
    expect(statuses.at(-1)).toBe('completed');
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'completed', lines: 2 });

    const resumed = await readEvents(stream, (event) => event.event === 'end', { 'last-event-id': '1' });
    expect(resumed.filter((event) => event.event === 'log').map((event) => event.id)).toEqual(['2']);
  });
});

describe('the server itself', () => {
  it('describes every API route in its OpenAPI document, and nothing else', async () => {
    const runtime = newRuntime();
    const { api } = await serve(runtime);
    const document = (await call(api('/openapi.json'))).json;
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const routed = createApp({ runtime, token: null })
      .routes.filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/'))
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    expect(documented).toEqual([...new Set(routed)]);
  });

  it('limits body sizes with 413 payload_too_large', async () => {
    const runtime = newRuntime();
    runtime.flow('asks', async () => wait('text', { schema: z.string() }));
    const { executionId } = await runtime.run('asks', null);
    const small = await serve(runtime, { bodyLimit: 1024 });
    const refused = await call(small.api(`/executions/${executionId}/waits/text/input`), { body: 'x'.repeat(2000) });
    expect(refused.status).toBe(413);
    expect(refused.json.error.code).toBe('payload_too_large');
    const defaults = await serve(runtime);
    const huge = await call(defaults.api(`/executions/${executionId}/waits/text/input`), { body: 'x'.repeat(1024 * 1024 + 10) });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('payload_too_large');
    const fits = await call(defaults.api(`/executions/${executionId}/waits/text/input`), { body: 'x'.repeat(2000) });
    expect(fits.status).toBe(200);
  });

  it('mounts extra routes (a hono app or a fetch handler) behind the same token', async () => {
    const runtime = newRuntime();
    const mcp = new Hono();
    mcp.post('/', (c) => c.json({ jsonrpc: '2.0', id: 1, result: {} }));
    const { server } = await serve(runtime, {
      token: 'mount-secret',
      mount: { '/mcp': mcp, '/hooks': (request: Request) => new Response(`hook ${new URL(request.url).pathname}`) },
    });
    const withToken = { authorization: 'Bearer mount-secret' };
    expect((await call(`${server.url}/mcp`, { body: { jsonrpc: '2.0' } })).status).toBe(401);
    const answered = await call(`${server.url}/mcp`, { body: { jsonrpc: '2.0' }, headers: withToken });
    expect(answered.json).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    const hook = await call(`${server.url}/hooks/github`, { headers: withToken });
    expect(hook.text).toBe('hook /hooks/github');
    expect(hook.headers.get('x-content-type-options')).toBe('nosniff');
    expect(() => createApp({ runtime, mount: { '/api/extra': mcp } })).toThrow(/Cannot mount routes at "\/api\/extra"/);
  });
});

describe('abandoned executions', () => {
  it('shows a running execution whose process was killed as abandoned, and resumes it from its records', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'keel-'));
    try {
      const child = startChild(fileURLToPath(new URL('./fixtures/killed-run.mjs', import.meta.url)), [directory]);
      await child.waitForLine('writing');
      expect((await child.kill()).signal).toBe('SIGKILL');

      const runtime = newRuntime(lowdbStore(directory), 'v1');
      let fetched = 0;
      runtime.flow('interrupted', async () => {
        await checkpoint('fetch', () => ++fetched);
        return checkpoint('write', () => 'written');
      });
      const { api } = await serve(runtime);
      const listed = (await call(api('/executions'))).json.executions[0];
      expect(listed).toMatchObject({ id: 'killed-midway', status: 'running', abandoned: true, lease: { pid: child.process.pid } });
      const resumed = await call(api('/executions/killed-midway/resume?wait=true'), { method: 'POST' });
      expect(resumed.json).toMatchObject({ status: 'completed', output: 'written' });
      expect(fetched).toBe(0);
      const after = (await call(api('/executions/killed-midway'))).json;
      expect(after).toMatchObject({ abandoned: false, sessions: 2 });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('deployed versions', () => {
  it('invokes through a tag or a version (202, pinned), refuses bad input (400) and unknown routes (404), and summarizes versions — without the flow code', async () => {
    const store = memoryStore();
    const deployer = newRuntime(store);
    deployer.flow('order', async (input: { item: string }) => input.item, { input: z.object({ item: z.string() }), version: 'v1' });
    await deployer.deployments.deploy('order', { tags: ['prod'] });
    // The API server has the store but not the flow's code.
    const { api } = await serve(newRuntime(store));

    const invoked = await call(api('/flows/order/invoke'), { body: { input: { item: 'lamp' } } });
    expect(invoked.status).toBe(202);
    expect(invoked.json).toMatchObject({ flow: 'order', version: 'v1', status: 'queued' });
    expect(await store.getExecution(invoked.json.executionId)).toMatchObject({ status: 'queued', codeVersion: 'v1' });
    const byVersion = await call(api('/flows/order/invoke'), { body: { input: { item: 'desk' }, version: 'v1' } });
    expect(byVersion.status).toBe(202);

    const before = (await store.listExecutions()).length;
    const invalid = await call(api('/flows/order/invoke'), { body: { input: { item: 7 } } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error).toMatchObject({ code: 'flow_input_invalid', flow: 'order', issues: [expect.objectContaining({ path: '/item' })] });
    const unknownTag = await call(api('/flows/order/invoke'), { body: { input: { item: 'x' }, tag: 'canary' } });
    expect(unknownTag.status).toBe(404);
    expect(unknownTag.json.error).toMatchObject({ code: 'deployment_not_found', wanted: { tag: 'canary' }, known: ['prod'] });
    const unknownVersion = await call(api('/flows/order/invoke'), { body: { input: { item: 'x' }, version: 'v9' } });
    expect(unknownVersion.status).toBe(404);
    expect(unknownVersion.json.error.message).toContain('no deployed version "v9" (deployed versions: v1)');
    const both = await call(api('/flows/order/invoke'), { body: { tag: 'prod', version: 'v1' } });
    expect(both.status).toBe(400);
    expect((await store.listExecutions()).length).toBe(before);

    const versions = await call(api('/versions'));
    expect(versions.status).toBe(200);
    expect(versions.json.versions).toEqual([
      expect.objectContaining({
        flow: 'order',
        version: 'v1',
        tags: ['prod'],
        retirable: false,
        served: false,
        executions: expect.objectContaining({ queued: 2, completed: 0 }),
      }),
    ]);
    expect((await call(api('/versions?flow=other'))).json.versions).toEqual([]);
  });
});
