import { createRuntime, lowdbStore } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newsScript } from './news-brain.js';
import { callsOf, removeWorkspaces, requestsOf, withChildren, workspace } from './workspace.js';

// A tool with `needsApproval` stops the run in one process; the decision is given from this (another)
// process; a new process continues the run.

let fake: FakeLLM;

beforeAll(async () => {
  fake = await startFakeLLM({ script: newsScript(100) });
});
afterAll(async () => {
  await fake.stop();
  removeWorkspaces();
});

/** Gives input to a wait from this process, through its own runtime on the same store. */
async function decide(storeDirectory: string, executionId: string, wait: string, value: unknown) {
  const runtime = createRuntime({ store: lowdbStore(storeDirectory) });
  try {
    await runtime.executions.input(executionId, wait, value, { resolvedBy: 'test' });
    return { checkpoints: await runtime.executions.checkpoints(executionId) };
  } finally {
    await runtime.close();
  }
}

test('approved in another process, the tool runs exactly once when a new process resumes the run', async () => {
  await withChildren(async (start) => {
    const space = workspace(fake);
    const env = { ...space, SCENARIO: 'approval' };
    const first = await start({ ...env, ACTION: 'run' }).result();
    expect(first.status).toBe('waiting');
    expect(first.waits).toEqual([
      expect.objectContaining({
        name: 'publish_story',
        metadata: expect.objectContaining({
          tool: 'publish_story',
          agent: 'editor',
          arguments: '{"headline":"Open model beats benchmarks"}',
          runStateCheckpoint: 'run_state:1',
        }),
      }),
    ]);
    expect(callsOf(space)).toEqual([]);

    const { checkpoints } = await decide(env.STORE_DIR, first.executionId!, 'publish_story', { approve: true });
    // The run's RunState is kept with the wait, as the output of the checkpoint its metadata names.
    const runState = checkpoints.find((checkpoint) => checkpoint.id === 'run_state:1');
    expect(JSON.parse(runState!.output as string)).toMatchObject({ $schemaVersion: expect.any(String) });

    const second = start({ ...env, ACTION: 'recover' });
    const result = await second.result();
    expect(result).toEqual({ executionId: first.executionId, status: 'completed', output: 'Editor: published "Open model beats benchmarks"' });
    expect(callsOf(space)).toEqual(['publish_story Open model beats benchmarks']);
    expect(second.completedCalls().map((line) => line.replace(/call_\d+/, 'call_N'))).toEqual(['publish_story:call_N tool', 'model:2 model']);
    expect(requestsOf(fake, space)).toHaveLength(2);
  });
});

test('rejected in another process, outside a flow and streamed: the tool never runs and the model hears the reason', async () => {
  await withChildren(async (start) => {
    const space = workspace(fake);
    const env = { ...space, SCENARIO: 'approval', STREAM: '1' };
    const first = await start({ ...env, ACTION: 'outside' }).result();
    // Outside a flow the run rejects with AgentRunWaitingError, which names the execution and the wait.
    expect(first.status).toBe('waiting');
    expect(first.message).toContain(first.executionId);
    expect(first.message).toContain('publish_story:1');

    await decide(env.STORE_DIR, first.executionId!, 'publish_story:1', { approve: false, reason: 'not verified yet' });

    // The same call in a new process continues the waiting execution.
    const second = await start({ ...env, ACTION: 'outside' }).result();
    expect(second).toEqual({ status: 'completed', output: { finalOutput: 'Editor: not verified yet', deltas: 'Editor: not verified yet' } });
    expect(callsOf(space)).toEqual([]);
    expect(requestsOf(fake, space)).toHaveLength(2);
  });
});
