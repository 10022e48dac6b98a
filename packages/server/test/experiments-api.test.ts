import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, lowdbStore, type Runtime } from '@keel/core';
import { startServer, type KeelServer } from '@keel/server';
import { registerDemoExperiment, registerDemoFlows } from './fixtures/demo-flows.js';
import { call } from './fixtures/http-client.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Two approved news scout runs, the cheaper-writer experiment run on them, and a server on the store. */
async function setup(): Promise<{ runtime: Runtime; api: (path: string) => string; experimentId: string }> {
  const runtime = createRuntime({ store: lowdbStore(mkdtempSync(join(tmpdir(), 'keel-experiments-api-'))) });
  registerDemoFlows(runtime);
  const experiment = registerDemoExperiment(runtime);
  for (const topic of ['robotics', 'chips']) {
    const { executionId } = await runtime.run('news_scout', topic);
    await runtime.executions.input(executionId, 'approve_publish', { approved: true });
    await runtime.executions.resume(executionId);
  }
  const { id } = await experiment.run();
  const server: KeelServer = await startServer({ runtime, port: 0, token: null, pollIntervalMs: 20 });
  cleanups.push(async () => {
    await server.close();
    await server.idle();
    await runtime.close();
  });
  return { runtime, api: (path) => `${server.url}/api${path}`, experimentId: id };
}

describe('the experiments API', () => {
  it('lists experiments and shows one with its members side by side', async () => {
    const { api, experimentId } = await setup();
    const list = await call(api('/experiments'));
    expect(list.status).toBe(200);
    expect(list.json.defined).toEqual(['cheaper-writer']);
    expect(list.json.experiments).toHaveLength(1);
    expect(list.json.experiments[0]).toMatchObject({
      id: experimentId,
      name: 'cheaper-writer',
      status: 'completed',
      aggregate: { members: 2, done: 2, changedOutputs: 0, tools: { recorded: 2, reused: 6, live: 0 } },
    });

    const shown = await call(api(`/experiments/${experimentId}`));
    expect(shown.status).toBe(200);
    expect(shown.json.change.models).toEqual({ 'claude-sonnet-4-5': 'claude-haiku-4-5' });
    const member = shown.json.members[0];
    expect(member.comparison.firstDifference).toEqual({ checkpointId: 'model:2', reason: 'a different result' });
    expect(member.comparison.artifacts).toEqual([
      expect.objectContaining({ name: 'final_report', equal: false, diff: expect.stringContaining('-- **2 searches**, 1 page read') }),
    ]);
    expect(member.comparison.replay).toMatchObject({ models: ['gpt-4o-mini', 'claude-haiku-4-5'], outputTokens: 390 });
    expect(shown.json.aggregate.cost.delta).toBeLessThan(0);
    expect(shown.json.aggregate.evaluations).toEqual({ keepsSource: { mean: 1, count: 2 } });
  });

  it('queues a defined experiment for a worker, and answers an unknown name or id with 404', async () => {
    const { runtime, api } = await setup();
    const started = await call(api('/experiments/cheaper-writer/start'), { method: 'POST', body: { limit: 1 } });
    expect(started.status).toBe(202);
    const queued = await runtime.executions.get(started.json.experimentId);
    expect(queued).toMatchObject({ flow: 'experiment:cheaper-writer', status: 'queued', input: { cohort: { flow: 'news_scout', limit: 1 } } });

    const unknown = await call(api('/experiments/pricier-writer/start'), { method: 'POST', body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'experiment_not_found', experiment: 'pricier-writer' });
    expect(unknown.json.error.message).toContain('Defined: cheaper-writer.');
    const bad = await call(api('/experiments/cheaper-writer/start'), { method: 'POST', body: { limit: 0 } });
    expect(bad.status).toBe(400);
    // Another id of the same shape (the last character changed: an id that ends in 0 gets a 1).
    const otherId = started.json.experimentId.replace(/.$/, (last: string) => (last === '0' ? '1' : '0'));
    const notAnExperiment = await call(api(`/experiments/${otherId}`));
    expect(notAnExperiment.status).toBe(404);
  });

  it('documents the experiment routes in the OpenAPI document', async () => {
    const { api } = await setup();
    const document = (await call(api('/openapi.json'))).json;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/experiments', '/api/experiments/{id}', '/api/experiments/{name}/start']));
    expect(document.components.schemas.Experiment).toBeDefined();
  });
});
