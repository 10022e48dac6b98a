import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { checkpoint, createRuntime, memoryStore, type Runtime } from '@keel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connectedClient } from './mcp-answers.js';

const fail = (message: string) => async (): Promise<never> => {
  throw new Error(message);
};

describe('explain_failure on nested, caught and out-of-checkpoint failures', () => {
  let runtime: Runtime;
  let client: Client;

  beforeAll(async () => {
    runtime = createRuntime({ store: memoryStore() });
    client = await connectedClient(runtime);
  });

  afterAll(async () => {
    await client?.close();
    await runtime?.close();
  });

  it('finds the failed tool call inside a failed parent, the model call before it, and what a retry reuses', async () => {
    runtime.flow('nested', async () => {
      await checkpoint('research', async () => {
        await checkpoint('search', async () => ['a', 'b'], { kind: 'tool', input: { query: 'keel' } });
        const plan = await checkpoint(
          'model',
          async (context) => {
            context.setMetadata({ model: { modelId: 'claude-test' }, usage: { inputTokens: 10, outputTokens: 5 } });
            return { tool: 'scrape', args: { url: 'https://a.example' } };
          },
          { kind: 'model' },
        );
        await checkpoint('scrape', fail('connection reset'), { kind: 'tool', input: plan.args });
      });
    });
    const { executionId } = await runtime.run('nested', null);
    const explanation = await callJson(client, 'explain_failure', { executionId });
    expect(explanation.failingCheckpoint).toMatchObject({
      id: 'research:1/scrape:1',
      tool: 'scrape',
      input: { url: 'https://a.example' },
      error: { message: 'connection reset' },
    });
    expect(explanation.modelCall).toMatchObject({
      id: 'research:1/model:1',
      model: 'claude-test',
      inputTokens: 10,
      outputTokens: 5,
      output: { tool: 'scrape' },
    });
    expect(explanation.retry.reuses).toEqual(['research:1/search:1', 'research:1/model:1']);
    expect(explanation.retry.reruns.map((line: string) => line.split(' ')[0])).toEqual(['research:1', 'research:1/scrape:1']);
    expect(explanation).not.toHaveProperty('otherFailedCheckpoints');
    const execution = await callJson(client, 'get_execution', { executionId });
    expect(execution.checkpoints.map((line: string) => line.split(' · ')[0])).toEqual([
      'research:1',
      '  research:1/search:1',
      '  research:1/model:1',
      '  research:1/scrape:1',
    ]);
  });

  it('blames the failure that ended the run, not an earlier one the flow caught', async () => {
    runtime.flow('caught', async () => {
      await checkpoint('optional_lookup', fail('not found'), { kind: 'tool' }).catch(() => null);
      await checkpoint('publish', fail('403 forbidden'), { kind: 'tool', input: { channel: 'news' } });
    });
    const { executionId } = await runtime.run('caught', null);
    const explanation = await callJson(client, 'explain_failure', { executionId });
    expect(explanation.failingCheckpoint).toMatchObject({ id: 'publish:1', error: { message: '403 forbidden' }, input: { channel: 'news' } });
    expect(explanation.otherFailedCheckpoints).toEqual(['optional_lookup:1']);
    expect(explanation.modelCall).toBeNull();
  });

  it('says when the flow body failed outside any checkpoint, and what it completed before', async () => {
    runtime.flow('body', async () => {
      const rows = await checkpoint('load', async () => [1, 2]);
      if (rows.length < 3) throw new RangeError(`expected 3 rows, got ${rows.length}`);
    });
    const { executionId } = await runtime.run('body', null);
    const explanation = await callJson(client, 'explain_failure', { executionId });
    expect(explanation.failingCheckpoint).toBeNull();
    expect(explanation.where).toBe('The flow body threw outside any checkpoint, after checkpoint load:1 completed.');
    expect(explanation.executionError).toMatchObject({ $type: 'Error', name: 'RangeError', message: 'expected 3 rows, got 2' });
    expect(explanation.summary).toContain('The flow body failed outside any checkpoint with RangeError: expected 3 rows, got 2');
  });

  it('says where an execution that did not fail stands', async () => {
    runtime.flow('fine', async () => checkpoint('step', async () => 1));
    const { executionId } = await runtime.run('fine', null);
    const explanation = await callJson(client, 'explain_failure', { executionId });
    expect(explanation).toEqual({ executionId, flow: 'fine', status: 'completed', summary: `Execution ${executionId} completed; nothing failed.` });
  });

  it('shows a model request stored as a chain whole: get_checkpoint rebuilds it from its links', async () => {
    const requests: unknown[] = [];
    runtime.flow('chained', async () => {
      const messages = [{ role: 'user', content: 'Research it.' }];
      for (let step = 0; step < 5; step++) {
        const request = { model: 'm', messages: [...messages] };
        requests.push(structuredClone(request));
        const reply = await checkpoint('model', () => ({ role: 'assistant', content: `step ${step}` }), { kind: 'model', input: request });
        messages.push(reply, { role: 'tool', content: `result ${step}` });
      }
    });
    const { executionId } = await runtime.run('chained', null);
    expect(await callJson(client, 'get_checkpoint', { executionId, checkpointId: 'model:5', part: 'input' })).toEqual(requests[4]);
    expect((await callJson(client, 'get_checkpoint', { executionId, checkpointId: 'model:3' })).input).toEqual(requests[2]);
  });
});
