import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild } from './fixtures/child-process.js';
import { checkpoint, createRuntime, ExecutionLeasedError, lowdbStore } from '../src/index.js';

const fixture = new URL('./fixtures/ten-checkpoints.mjs', import.meta.url).pathname;
const folders: string[] = [];

function workspace() {
  const folder = mkdtempSync(join(tmpdir(), 'keel-crash-'));
  folders.push(folder);
  return { store: join(folder, '.keel'), effects: join(folder, 'effects.log') };
}

function effects(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

function resultOf(stdout: string): Record<string, unknown> {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('result '));
  if (!line) throw new Error(`no result line in:\n${stdout}`);
  return JSON.parse(line.slice('result '.length)) as Record<string, unknown>;
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('a flow killed with SIGKILL resumes in a new process', () => {
  let uninterrupted: unknown;

  it('runs uninterrupted to get the reference output', async () => {
    const { store, effects: file } = workspace();
    const run = startChild(fixture, [store, file, 'run']);
    const { code, stdout, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    const result = resultOf(stdout);
    expect(result.status).toBe('completed');
    uninterrupted = result.output;
    expect([...effects(file).values()]).toEqual(Array(10).fill(1));
  });

  for (const killAfter of [1, 4, 7, 9]) {
    it(`after checkpoint ${killAfter} of 10, re-running only the call in flight`, async () => {
      const { store, effects: file } = workspace();
      const first = startChild(fixture, [store, file, 'run']);
      await first.waitForLine(new RegExp(`^done ${killAfter}$`));
      first.child.kill('SIGKILL');
      const killed = await first.exited;
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.stdout).not.toContain('result ');

      const second = startChild(fixture, [store, file, 'recover']);
      const { code, stdout, stderr } = await second.exited;
      expect(code, stderr).toBe(0);
      const result = resultOf(stdout);
      expect(result).toMatchObject({ recovered: 1, status: 'completed' });
      expect(result.output).toEqual(uninterrupted);

      const counts = effects(file);
      for (let step = 1; step <= 10; step++) {
        const times = counts.get(`step_${step}`);
        // Completed checkpoints ran exactly once; only the one in flight at the kill may have run twice.
        if (step === killAfter + 1) expect(times === 1 || times === 2, `step_${step} ran ${times} times`).toBe(true);
        else expect(times, `step_${step}`).toBe(1);
      }
    });
  }
});

describe('leases across processes', () => {
  it('refuses to run an execution a live process holds, and recovers it once that process is killed', async () => {
    const { store } = workspace();
    const holder = startChild(new URL('./fixtures/hold-lease.mjs', import.meta.url).pathname, [store]);
    const executionId = (await holder.waitForLine(/^holding /)).slice('holding '.length);
    const runtime = createRuntime({ store: lowdbStore(store), codeVersion: 'hold-lease' });
    let blockRuns = 0;
    runtime.flow('held', async () => {
      await checkpoint('block', () => ++blockRuns);
      return 'finished here';
    });
    await expect(runtime.executions.resume(executionId)).rejects.toSatisfy((error) => ExecutionLeasedError.isInstance(error));
    const early = await runtime.executions.recover();
    expect(early, JSON.stringify(early.map((report) => report.error?.message ?? report.result?.status))).toEqual([]);
    expect(blockRuns).toBe(0);

    holder.child.kill('SIGKILL');
    await holder.exited;
    const [report] = await runtime.executions.recover();
    expect(report).toMatchObject({ executionId, found: 'running', result: { status: 'completed', output: 'finished here' } });
    expect(blockRuns).toBe(1);
    await runtime.close();
  });
});
