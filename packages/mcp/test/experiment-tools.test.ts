import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createRuntime, memoryStore, type Runtime } from '@keel/core';
import { durableCall, replayChange } from '@keel/core/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callJson, connectedClient } from './mcp-answers.js';

/** A writer model, as a harness would call it: swappable by an experiment. */
interface Writer {
  readonly modelId: string;
  write(topic: string): string;
}
const long: Writer = { modelId: 'long-writer', write: (topic) => `A long, careful brief on ${topic}.` };
const short: Writer = { modelId: 'short-writer', write: (topic) => `${topic}: fine.` };

describe('experiment tools', () => {
  let runtime: Runtime;
  let client: Client;
  let experimentId: string;

  beforeAll(async () => {
    runtime = createRuntime({ store: memoryStore() });
    runtime.flow('brief', async (topic: string) => {
      const writer = (replayChange()?.model(long.modelId) as Writer | undefined) ?? long;
      return durableCall({ name: 'model', kind: 'model', metadata: { model: writer.modelId } }, (context) => {
        const text = writer.write(topic);
        context.setMetadata({ usage: { inputTokens: 10, outputTokens: text.length } });
        return text;
      });
    });
    const experiment = runtime.experiment('short-writer', { cohort: { flow: 'brief' }, change: { models: { [long.modelId]: short } } });
    for (const topic of ['robots', 'chips']) await runtime.run('brief', topic);
    experimentId = (await experiment.run()).id;
    client = await connectedClient(runtime);
  });

  afterAll(async () => {
    await client?.close();
    await runtime?.close();
  });

  it('lists experiments and the names the code defines', async () => {
    const listed = await callJson(client, 'list_experiments');
    expect(listed.defined).toEqual(['short-writer']);
    expect(listed.experiments).toEqual([expect.objectContaining({ id: experimentId, name: 'short-writer', status: 'completed', progress: '2/2 members' })]);
    expect(listed.experiments[0].totals).toMatchObject({ changedOutputs: 2, tokens: { delta: expect.any(Number) } });
    expect(listed.experiments[0].totals.tokens.delta).toBeLessThan(0);
  });

  it('reads an experiment with each member side by side', async () => {
    const experiment = await callJson(client, 'get_experiment', { experimentId });
    expect(experiment.change.models).toEqual({ 'long-writer': 'short-writer' });
    expect(experiment.members).toHaveLength(2);
    const member = experiment.members[0];
    expect(member.comparison.output).toEqual({ equal: false, diff: expect.stringContaining('+chips: fine.') });
    expect(member.comparison.firstDifference).toEqual({ checkpointId: 'model:1', reason: 'a different result' });
    expect(member.comparison.replay.models).toEqual(['short-writer']);
  });

  it('queues a run of a defined experiment, and names the defined ones for an unknown name', async () => {
    const started = await callJson(client, 'run_experiment', { name: 'short-writer', limit: 1 });
    expect(started).toMatchObject({ status: 'queued', progress: '0/0 members' });
    expect((await runtime.executions.get(started.experimentId)).flow).toBe('experiment:short-writer');
    const unknown = await call(client, 'run_experiment', { name: 'long-writer' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('Defined: short-writer.');
  });
});
