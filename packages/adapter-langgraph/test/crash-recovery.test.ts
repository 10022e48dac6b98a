import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, lowdbStore } from '@keel/core';
import { afterEach, describe, expect, test } from 'vitest';
import { killAllChildren, startChild, type RunningChild } from '@keel/testkit';

// Real processes on a real lowdb store: the first is killed with SIGKILL, a second one continues.

interface LogLine {
  readonly kind: 'model' | 'tool';
  readonly step?: number;
  readonly query?: string;
  readonly text?: string;
  readonly pid: number;
}

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Starts `node test/fixtures/<fixture> …args`. */
function startFixture(fixture: string, args: readonly string[], env: Record<string, string> = {}): RunningChild {
  return startChild(path.join(fixtures, fixture), args, { env });
}

/** Runs a fixture to its end and parses the last line it printed as JSON. */
async function runFixture<T>(fixture: string, args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  const { code, stdout, stderr } = await startFixture(fixture, args, env).exited;
  if (code !== 0) throw new Error(`The fixture ${fixture} ${args.join(' ')} exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** The JSON lines a fixture logged (one per real model or tool call). */
function readLog<T = Record<string, unknown>>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

let dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lg-crash-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await killAllChildren();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('a ReAct graph killed during a tool call', () => {
  test('resumes in a new process with every completed model and tool call made exactly once', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const logFile = path.join(dir, 'calls.log');

    // Three searches; the process is killed while the second one runs.
    const first = startFixture('research-agent.mjs', [store, logFile, 'react', '3', '2']);
    await first.waitForLine('HANG');
    await first.kill();
    const firstPid = first.process.pid;
    expect(readLog<LogLine>(logFile).map(({ kind, step, query }) => [kind, step ?? query])).toEqual([
      ['model', 0],
      ['tool', 'q1'],
      ['model', 1],
      ['tool', 'q2'],
    ]);

    // The same call again, in a new process: the run continues where it stopped.
    const result = await runFixture<{ executionId: string; status: string; messages: string[] }>('research-agent.mjs', [store, logFile, 'react', '3']);
    expect(result.status).toBe('completed');
    expect(result.messages.at(-1)).toBe('Found: result(q1), result(q2), result(q3)');

    const log = readLog<LogLine>(logFile);
    const secondRun = log.filter((line) => line.pid !== firstPid);
    // Completed calls are not repeated: model steps 0 and 1 and search q1 ran only in the first process.
    expect(log.filter((line) => line.kind === 'model').map((line) => line.step)).toEqual([0, 1, 2, 3]);
    expect(log.filter((line) => line.kind === 'tool').map((line) => line.query)).toEqual(['q1', 'q2', 'q2', 'q3']);
    // The interrupted call (q2) is the only one the second process had to make again.
    expect(secondRun.map(({ kind, step, query }) => [kind, step ?? query])).toEqual([
      ['tool', 'q2'],
      ['model', 2],
      ['tool', 'q3'],
      ['model', 3],
    ]);

    // One execution did it all, and its records show what happened.
    const runtime = createRuntime({ store: lowdbStore(store) });
    try {
      const executions = await runtime.executions.list({ flow: 'langgraph:researcher' });
      expect(executions.map((execution) => [execution.id, execution.status, execution.sessions])).toEqual([[result.executionId, 'completed', 2]]);
      const records = await runtime.executions.checkpoints(result.executionId, { payloads: false });
      const calls = records.filter((record) => record.kind === 'model' || record.kind === 'tool');
      expect(calls.map((record) => [record.id.split('/').at(-1), record.status, record.attempts])).toEqual([
        ['model:agent@1#1', 'completed', 1],
        ['search:tools@2:call_1', 'completed', 1],
        ['model:agent@3#1', 'completed', 1],
        ['search:tools@4:call_2', 'completed', 2],
        ['model:agent@5#1', 'completed', 1],
        ['search:tools@6:call_3', 'completed', 1],
        ['model:agent@7#1', 'completed', 1],
      ]);
      // The second session met search@4 first where the first had met model@1: the calls are
      // identified by key alone, and nothing in a normal run is recorded as failed.
      expect(calls.every((record) => record.ordered === false)).toBe(true);
      expect(records.filter((record) => record.status === 'failed').map((record) => record.id)).toEqual([]);
      expect(records.filter((record) => record.kind === 'step').map((record) => record.id)).toEqual(['langgraph:1', 'langgraph:1/langgraph.start:1']);
      // The graph's own checkpoints live in the same store, on the thread's execution.
      const threads = await runtime.executions.list({ flow: 'langgraph:thread' });
      expect(threads).toHaveLength(1);
      const artifacts = await runtime.executions.artifacts(threads[0]!.id);
      expect(artifacts.some((artifact) => artifact.type === 'application/vnd.langgraph.checkpoint+json')).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  test('an at-most-once tool interrupted by the crash waits for a decision instead of running again', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const logFile = path.join(dir, 'calls.log');
    const env = { DELIVERY: 'at-most-once' };

    const first = startFixture('research-agent.mjs', [store, logFile, 'react', '3', '2'], env);
    await first.waitForLine('HANG');
    await first.kill();

    const second = await runFixture<{ executionId: string; status: string; interrupts: { id: string; value: { wait: string } }[] }>(
      'research-agent.mjs',
      [store, logFile, 'react', '3'],
      env,
    );
    expect(second.status).toBe('waiting');
    expect(second.interrupts).toHaveLength(1);
    expect(second.interrupts[0]!.value.wait).toBe('search#decision');
    // q2 was not run again by itself.
    expect(
      readLog<LogLine>(logFile)
        .filter((line) => line.kind === 'tool')
        .map((line) => line.query),
    ).toEqual(['q1', 'q2']);

    // Someone decides to run it again; a third process (a worker) finishes the run.
    const third = await runFixture<{ status: string; output: string[] }>(
      'research-agent.mjs',
      [store, logFile, 'answer', second.executionId, 'search#decision', '"rerun"'],
      env,
    );
    expect(third.status).toBe('completed');
    expect(third.output.at(-1)).toBe('Found: result(q1), result(q2), result(q3)');
    expect(
      readLog<LogLine>(logFile)
        .filter((line) => line.kind === 'tool')
        .map((line) => line.query),
    ).toEqual(['q1', 'q2', 'q2', 'q3']);
    expect(
      readLog<LogLine>(logFile)
        .filter((line) => line.kind === 'model')
        .map((line) => line.step),
    ).toEqual([0, 1, 2, 3]);
  });
});

describe('a node that makes two model calls and then interrupts', () => {
  test('gets its answer in a new process without repeating the two model calls', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const logFile = path.join(dir, 'calls.log');

    const first = await runFixture<{ executionId: string; status: string; interrupts: { id: string; value: { question: string; draft: string } }[] }>(
      'research-agent.mjs',
      [store, logFile, 'draft'],
    );
    expect(first.status).toBe('waiting');
    expect(first.interrupts).toEqual([{ id: expect.any(String), value: { question: 'Publish this draft?', draft: 'draft' } }]);
    expect(readLog<LogLine>(logFile).map((line) => line.text)).toEqual(['outline', 'draft']);

    // The answer arrives through Keel (as from the CLI) and a new process resumes the execution.
    const second = await runFixture<{ status: string; output: string[] }>('research-agent.mjs', [store, logFile, 'answer', first.executionId, 'write', 'true']);
    expect(second.status).toBe('completed');
    expect(second.output).toEqual(['Write about Keel.', 'outline', 'draft', 'published: true']);
    // The node ran again from its start, but both model calls came from the records.
    expect(readLog<LogLine>(logFile).map((line) => line.text)).toEqual(['outline', 'draft']);

    const runtime = createRuntime({ store: lowdbStore(store) });
    try {
      const waits = await runtime.executions.waits(first.executionId);
      expect(waits.map((wait) => [wait.name, wait.status, wait.input, wait.resolvedBy])).toEqual([['write', 'resolved', true, 'test']]);
      expect(waits[0]!.question).toBe('Publish this draft?');
      expect(waits[0]!.metadata?.['interruptId']).toBe(first.interrupts[0]!.id);
      // The wait is keyed by its interrupt id, beside the two model calls it followed.
      const records = await runtime.executions.checkpoints(first.executionId, { payloads: false });
      expect(records.map((record) => [record.id, record.kind, record.status, record.ordered ?? true])).toEqual([
        ['langgraph:1', 'step', 'completed', true],
        ['langgraph:1/langgraph.start:1', 'step', 'completed', true],
        ['langgraph:1/model:write@1#1', 'model', 'completed', false],
        ['langgraph:1/model:write@1#2', 'model', 'completed', false],
        [`langgraph:1/write:${first.interrupts[0]!.id}`, 'wait', 'completed', false],
      ]);
      expect(waits[0]!.id).toBe(`langgraph:1/write:${first.interrupts[0]!.id}`);
    } finally {
      await runtime.close();
    }
  });
});
