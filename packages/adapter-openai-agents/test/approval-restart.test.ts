import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRuntime, lowdbStore } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { Child, mcpServerFixture } from './child-process.js';
import { newsScript } from './news-brain.js';

// A tool with `needsApproval` stops the run in one process; the decision is given from this (another)
// process; a new process continues the run.

let fake: FakeLLM;
const children: Child[] = [];
const directories: string[] = [];

beforeAll(async () => {
  fake = await startFakeLLM({ script: newsScript() });
});
afterAll(async () => {
  await fake.stop();
  for (const directory of directories) fs.rmSync(directory, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()));
});

function workspace() {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-oai-'));
  directories.push(directory);
  return { STORE_DIR: path.join(directory, 'store'), CALLS_LOG: path.join(directory, 'calls.log'), FAKE_URL: fake.url, MCP_SERVER: mcpServerFixture };
}

function start(env: Record<string, string>): Child {
  const child = new Child(env);
  children.push(child);
  return child;
}

function calls(env: { CALLS_LOG: string }): string[] {
  return fs.existsSync(env.CALLS_LOG) ? fs.readFileSync(env.CALLS_LOG, 'utf8').trim().split('\n').filter(Boolean) : [];
}

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
  const env = { ...workspace(), SCENARIO: 'approval' };
  const before = fake.requests.length;
  const first = await start({ ...env, ACTION: 'run' }).result();
  expect(first.status).toBe('waiting');
  expect(first.waits).toEqual([
    expect.objectContaining({
      name: 'publish_story',
      metadata: expect.objectContaining({ tool: 'publish_story', agent: 'editor', arguments: '{"headline":"Open model beats benchmarks"}', runStateCheckpoint: 'run_state:1' }),
    }),
  ]);
  expect(calls(env)).toEqual([]);

  const { checkpoints } = await decide(env.STORE_DIR, first.executionId!, 'publish_story', { approve: true });
  // The run's RunState is kept with the wait, as the output of the checkpoint its metadata names.
  const runState = checkpoints.find((checkpoint) => checkpoint.id === 'run_state:1');
  expect(JSON.parse(runState!.output as string)).toMatchObject({ $schemaVersion: expect.any(String) });

  const second = start({ ...env, ACTION: 'recover' });
  const result = await second.result();
  expect(result).toEqual({ executionId: first.executionId, status: 'completed', output: 'Editor: published "Open model beats benchmarks"' });
  expect(calls(env)).toEqual(['publish_story Open model beats benchmarks']);
  expect(second.completedCalls().map((line) => line.replace(/call_\d+/, 'call_N'))).toEqual(['publish_story:call_N tool', 'model:2 model']);
  expect(fake.requests.length - before).toBe(2);
});

test('rejected in another process, outside a flow and streamed: the tool never runs and the model hears the reason', async () => {
  const env = { ...workspace(), SCENARIO: 'approval', STREAM: '1' };
  const before = fake.requests.length;
  const first = await start({ ...env, ACTION: 'outside' }).result();
  // Outside a flow the run rejects with AgentRunWaitingError, which names the execution and the wait.
  expect(first.status).toBe('waiting');
  expect(first.message).toContain(first.executionId);
  expect(first.message).toContain('publish_story:1');

  await decide(env.STORE_DIR, first.executionId!, 'publish_story:1', { approve: false, reason: 'not verified yet' });

  // The same call in a new process continues the waiting execution.
  const second = await start({ ...env, ACTION: 'outside' }).result();
  expect(second).toEqual({ status: 'completed', output: { finalOutput: 'Editor: not verified yet', deltas: 'Editor: not verified yet' } });
  expect(calls(env)).toEqual([]);
  expect(fake.requests.length - before).toBe(2);
});
