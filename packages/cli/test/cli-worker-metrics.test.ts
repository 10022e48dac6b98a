import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prometheusSamples, sampleValue } from '@keel/testkit';
import { estimateModelCost } from '@keel/core';
import { createProject, jsonLines, keel, keelJson, killChildren, removeProjects, startKeel, until, writeFiles } from './cli-harness.js';

// A model call (with the usage an adapter records) and a tool call; and a flow that stops at a wait.
const flows = `import { checkpoint, flow, wait } from '@keel/core';
import { z } from 'zod';

export const greet = flow('greet', async (name: string) => {
  const profile = await checkpoint('lookup', () => ({ name }), { kind: 'tool' });
  return checkpoint('write', (call) => {
    call.setMetadata({ model: 'gpt-4o-mini', usage: { inputTokens: 12, outputTokens: 5 } });
    return 'Hello, ' + profile.name;
  }, { kind: 'model' });
});

export const ask = flow('ask', async () => wait('approval', { schema: z.boolean() }));
`;

let project: string;
const children: ReturnType<typeof startKeel>[] = [];

beforeAll(async () => {
  project = createProject('link');
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/greet.ts': flows });
});
afterEach(() => killChildren(children));
afterAll(removeProjects);

describe('keel worker --metrics-port', () => {
  it('serves the Prometheus text of the executions it ran, and health and readiness', async () => {
    for (const name of ['Ada', 'Grace', 'Edsger']) await keelJson(project, ['run', 'greet', '--input', JSON.stringify(name), '--queue']);
    await keelJson(project, ['run', 'ask', '--queue']);
    const worker = startKeel(project, ['worker', '--json', '--poll', '100', '--metrics-port', '0']);
    children.push(worker);
    await until('the worker to say where its metrics are', () => jsonLines(worker).some((event) => event.event === 'metrics'));
    const url = jsonLines(worker).find((event) => event.event === 'metrics')!.url as string;
    await until('the worker to run the four queued executions', () => jsonLines(worker).filter((event) => event.event === 'execution').length === 4);

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = prometheusSamples(await response.text());
    expect(sampleValue(samples, 'keel_sessions_total', { flow: 'greet', operation: 'run', status: 'completed' })).toBe(3);
    expect(sampleValue(samples, 'keel_sessions_total', { flow: 'ask', operation: 'run', status: 'waiting' })).toBe(1);
    expect(sampleValue(samples, 'keel_recoveries_total', { flow: 'greet', found: 'queued' })).toBe(3);
    expect(sampleValue(samples, 'keel_checkpoints_total', { kind: 'model', outcome: 'executed' })).toBe(3);
    expect(sampleValue(samples, 'keel_checkpoints_total', { kind: 'tool', outcome: 'executed' })).toBe(3);
    expect(sampleValue(samples, 'keel_checkpoint_duration_count', { kind: 'model', status: 'completed' })).toBe(3);
    expect(sampleValue(samples, 'keel_checkpoint_duration_bucket', { kind: 'tool', status: 'completed', le: '+Inf' })).toBe(3);
    expect(sampleValue(samples, 'keel_model_tokens_total', { model: 'gpt-4o-mini', type: 'input' })).toBe(36);
    expect(sampleValue(samples, 'keel_model_tokens_total', { model: 'gpt-4o-mini', type: 'output' })).toBe(15);
    const { usd } = await estimateModelCost({ model: 'gpt-4o-mini', inputTokens: 12, outputTokens: 5 });
    expect(usd).toBeGreaterThan(0);
    expect(sampleValue(samples, 'keel_model_cost_usd_total', { model: 'gpt-4o-mini' })).toBeCloseTo(3 * usd!, 12);
    expect(sampleValue(samples, 'keel_executions', { flow: 'greet', status: 'completed' })).toBe(3);
    expect(sampleValue(samples, 'keel_executions', { flow: 'ask', status: 'waiting' })).toBe(1);
    expect(sampleValue(samples, 'keel_waits_open', { flow: 'ask' })).toBe(1);
    expect(sampleValue(samples, 'keel_waits_age', { flow: 'ask' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'keel_queue_depth', { flow: 'greet' })).toBeUndefined();

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', store: { store: 'reachable', lastError: null } });
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);

    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('refuses --metrics-host without --metrics-port', async () => {
    const result = await keel(project, ['worker', '--once', '--metrics-host', '0.0.0.0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--metrics-host');
    expect(result.stderr).toContain('add --metrics-port');
  });
});
