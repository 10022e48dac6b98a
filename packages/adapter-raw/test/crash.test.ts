import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, lowdbStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeScriptEntry } from '@keel/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonLine, killAllChildren, startChild } from '@keel/testkit';
import { expectedSummary, newsReply, turnOf } from './fixtures/news-script.js';

const fixture = new URL('./fixtures/tool-loop.mjs', import.meta.url).pathname;
const folders: string[] = [];
let fake: FakeLLM | undefined;

function workspace() {
  const folder = mkdtempSync(join(tmpdir(), 'keel-raw-crash-'));
  folders.push(folder);
  return { store: join(folder, '.keel'), toolLog: join(folder, 'tools.log') };
}

/** How often each query's tool call started and finished, from the tool log. */
function toolRuns(file: string): Record<string, { start: number; done: number }> {
  const runs: Record<string, { start: number; done: number }> = {};
  if (!existsSync(file)) return runs;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { event, query } = JSON.parse(line) as { event: 'start' | 'done'; query: string };
    runs[query] ??= { start: 0, done: 0 };
    runs[query][event]++;
  }
  return runs;
}

const onceEach = { keel: { start: 1, done: 1 }, rust: { start: 1, done: 1 }, durable: { start: 1, done: 1 } };

async function checkpointIds(store: string, executionId: string) {
  const runtime = createRuntime({ store: lowdbStore(store) });
  try {
    return (await runtime.executions.checkpoints(executionId, { payloads: false })).map((record) => `${record.id} ${record.status}`);
  } finally {
    await runtime.close();
  }
}

async function startFake(script: FakeScriptEntry[] = Array(10).fill(newsReply)) {
  fake = await startFakeLLM({ script });
  return fake;
}

afterEach(async () => {
  await killAllChildren();
  await fake?.stop();
  fake = undefined;
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

// The loop makes 6 calls: model 1 → search toolu_01 → search toolu_02 → model 2 → search toolu_01
// (the id again, in turn 2) → model 3. Each chain kills the run after the given calls, one process
// after another, each resuming where the previous one died; the last process finishes the run.
const chains: { killAfter: number[]; stream: boolean }[] = [
  { killAfter: [1, 3, 5], stream: false },
  { killAfter: [2, 4, 6], stream: true },
];

/** How many model calls the loop has made once `calls` calls completed. */
const modelCallsAfter = (calls: number) => (calls >= 6 ? 3 : calls >= 4 ? 2 : 1);

describe('a tool loop killed with SIGKILL resumes in a new process', () => {
  for (const { killAfter, stream } of chains) {
    it(`killed after calls ${killAfter.join(', ')} of 6 (${stream ? 'messages.stream' : 'messages.create'}): every completed call ran once`, async () => {
      const server = await startFake();
      const { store, toolLog } = workspace();

      for (const [index, calls] of killAfter.entries()) {
        const options = JSON.stringify({ pauseAfter: calls, stream });
        const child = startChild(fixture, [store, server.origin, toolLog, index === 0 ? 'run' : 'recover', options]);
        await child.waitForLine(/^paused$/);
        const killed = await child.kill();
        expect(killed.signal).toBe('SIGKILL');
        expect(killed.stdout).not.toContain('result ');
        // The model calls completed so far each reached the server once; nothing ran ahead of the kill.
        expect(server.requests.map(turnOf)).toEqual([0, 1, 2].slice(0, modelCallsAfter(calls)));
      }

      const last = startChild(fixture, [store, server.origin, toolLog, 'recover', JSON.stringify({ stream })]);
      const { code, stdout, stderr } = await last.exited;
      expect(code, stderr).toBe(0);
      const result = jsonLine(stdout, 'result');
      expect(result).toMatchObject({ recovered: 1, status: 'completed', output: expectedSummary });

      // Each of the three model calls reached the server exactly once, across all processes.
      expect(server.requests.map(turnOf)).toEqual([0, 1, 2]);
      expect(server.requests.every((request) => request.outcome === 'replied' && request.stream === stream)).toBe(true);
      expect(toolRuns(toolLog)).toEqual(onceEach);
      // `toolu_01` of turn 2 has its own record, so it was not answered with turn 1's result.
      expect(await checkpointIds(store, String(result.executionId))).toEqual([
        'model:1 completed',
        'search_news:toolu_01 completed',
        'search_news:toolu_02 completed',
        'model:2 completed',
        'search_news:toolu_01~2 completed',
        'model:3 completed',
      ]);
    });
  }

  it('killed while model call 2 is at the server: only that call is sent again', async () => {
    let held = false;
    let arrived!: () => void;
    const heldRequest = new Promise<void>((resolve) => (arrived = resolve));
    const holdTurnOne: FakeScriptEntry = (request) => {
      if (turnOf(request) === 1 && !held) {
        held = true;
        arrived();
        return new Promise(() => {}); // never answered: the process dies waiting for it
      }
      return newsReply(request);
    };
    const server = await startFake(Array(10).fill(holdTurnOne));
    const { store, toolLog } = workspace();

    const first = startChild(fixture, [store, server.origin, toolLog, 'run']);
    await heldRequest;
    await first.kill();

    const second = startChild(fixture, [store, server.origin, toolLog, 'recover']);
    const { code, stdout, stderr } = await second.exited;
    expect(code, stderr).toBe(0);
    expect(jsonLine(stdout, 'result')).toMatchObject({ recovered: 1, status: 'completed', output: expectedSummary });
    expect(server.requests.map(turnOf)).toEqual([0, 1, 1, 2]);
    expect(server.requests.map((request) => request.outcome)).toEqual(['replied', 'pending', 'replied', 'replied']);
    expect(toolRuns(toolLog)).toEqual(onceEach);
  });

  it('killed inside a tool call: the unfinished call runs again (at-least-once), nothing else does', async () => {
    const server = await startFake();
    const { store, toolLog } = workspace();
    const options = JSON.stringify({ hangOn: 'rust' });

    const first = startChild(fixture, [store, server.origin, toolLog, 'run', options]);
    await first.waitForLine(/^tool hanging rust$/);
    await first.kill();

    const second = startChild(fixture, [store, server.origin, toolLog, 'recover', options]);
    const { code, stdout, stderr } = await second.exited;
    expect(code, stderr).toBe(0);
    expect(jsonLine(stdout, 'result')).toMatchObject({ status: 'completed', output: expectedSummary });
    expect(toolRuns(toolLog)).toEqual({ ...onceEach, rust: { start: 2, done: 1 } });
    expect(server.requests.map(turnOf)).toEqual([0, 1, 2]);
  });

  it('killed inside an at-most-once tool call: the execution waits for a decision instead of re-running it', async () => {
    const server = await startFake();
    const { store, toolLog } = workspace();
    const options = JSON.stringify({ hangOn: 'rust', delivery: 'at-most-once' });

    const first = startChild(fixture, [store, server.origin, toolLog, 'run', options]);
    await first.waitForLine(/^tool hanging rust$/);
    await first.kill();

    const second = startChild(fixture, [store, server.origin, toolLog, 'recover', options]);
    const recovered = await second.exited;
    expect(recovered.code, recovered.stderr).toBe(0);
    const waiting = jsonLine(recovered.stdout, 'result') as { executionId: string; status: string; waits: { id: string }[] };
    expect(waiting.status).toBe('waiting');
    expect(waiting.waits.map((wait) => wait.id)).toEqual(['search_news:toolu_02#decision:1']);
    expect(toolRuns(toolLog).rust).toEqual({ start: 1, done: 0 });

    const runtime = createRuntime({ store: lowdbStore(store) });
    await runtime.executions.input(waiting.executionId, 'search_news:toolu_02#decision:1', 'rerun');
    await runtime.close();

    const third = startChild(fixture, [store, server.origin, toolLog, 'recover', options]);
    const resumed = await third.exited;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLine(resumed.stdout, 'result')).toMatchObject({ status: 'completed', output: expectedSummary });
    expect(toolRuns(toolLog)).toEqual({ ...onceEach, rust: { start: 2, done: 1 } });
    expect(server.requests.map(turnOf)).toEqual([0, 1, 2]);
  });
});
