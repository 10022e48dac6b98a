import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProject, exists, keel, keelJson, removeProjects, startKeel, until, writeFiles } from './cli-harness.js';

// Two steps; the second counts its attempts and blocks until a `release` file appears, so a test can
// act (kill, signal) while it is in flight.
const slowFlow = `import { checkpoint, flow } from '@keel/core';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const slow = flow('slow', async (input: { folder: string }) => {
  const first = await checkpoint('first', () => {
    appendFileSync(join(input.folder, 'first.count'), 'x');
    return 1;
  });
  const second = await checkpoint('second', async () => {
    appendFileSync(join(input.folder, 'second.count'), 'x');
    while (!existsSync(join(input.folder, 'release'))) await new Promise((resolve) => setTimeout(resolve, 20));
    return 2;
  });
  return first + second;
});
`;

let project: string;
const children: ReturnType<typeof startKeel>[] = [];

beforeAll(async () => {
  project = createProject('link');
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/slow.ts': slowFlow });
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
});

afterAll(removeProjects);

let counter = 0;
async function queueSlow(): Promise<{ id: string; folder: string }> {
  const folder = join(project, `signals-${++counter}`);
  mkdirSync(folder);
  const queued = await keelJson(project, ['run', 'slow', '--input', JSON.stringify({ folder }), '--queue']);
  expect(queued.status).toBe('queued');
  return { id: queued.executionId, folder };
}

function count(folder: string, name: string): number {
  return exists(join(folder, name)) ? readFileSync(join(folder, name), 'utf8').length : 0;
}

function worker(...options: string[]) {
  const child = startKeel(project, ['worker', '--poll', '200', ...options]);
  children.push(child);
  return child;
}

describe('keel worker', () => {
  it('recovers at once an execution whose worker was killed with SIGKILL (dead holder on this machine)', async () => {
    const { id, folder } = await queueSlow();
    const first = worker();
    await until('the first worker to be inside "second"', () => exists(join(folder, 'second.count')));
    // A call's `running` record is written once it has run a moment (core's README, "A live call costs one
    // store write"): the worker is killed once it is stored, so the attempt it is killed in counts.
    await until('"second" to be recorded as running', async () =>
      (await keelJson(project, ['executions', 'show', id])).checkpoints.some(
        (record: { id: string; status: string }) => record.id === 'second:1' && record.status === 'running',
      ),
    );
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const orphan = await keelJson(project, ['executions', 'show', id]);
    expect(orphan.execution.status).toBe('running');
    expect(orphan.execution.lease.pid).toBe(first.pid);
    // Its lease has most of its 30 s left: only the dead-process check can explain a recovery now.
    expect(orphan.execution.lease.expiresAt).toBeGreaterThan(Date.now() + 10_000);
    const list = await keel(project, ['executions', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${id} +slow +abandoned .*its process is gone; a worker recovers it`));

    writeFiles(folder, { release: '' });
    const second = await keel(project, ['worker', '--once']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`✓ ${id} slow abandoned → completed`));
    const done = await keelJson(project, ['executions', 'show', id]);
    expect(done.execution.status).toBe('completed');
    expect(done.execution.output).toBe(3);
    expect(done.checkpoints.map((record: { id: string; attempts: number }) => [record.id, record.attempts])).toEqual([
      ['first:1', 1],
      ['second:1', 2],
    ]);
    expect(count(folder, 'first.count')).toBe(1);
    expect(count(folder, 'second.count')).toBe(2);
  });

  it('on SIGTERM starts nothing new, lets the execution in flight finish within the grace period, and exits 0', async () => {
    const running = await queueSlow();
    const live = worker('--grace', '60000');
    await until('the worker to be inside "second"', () => exists(join(running.folder, 'second.count')));
    const queued = await queueSlow();
    live.kill('SIGTERM');
    await until('the worker to say it is stopping', () => live.output().stdout.includes('starting no new work'));
    writeFiles(running.folder, { release: '' });
    const result = await live.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`✓ ${running.id} slow queued → completed`));
    expect((await keelJson(project, ['executions', 'show', running.id])).execution.status).toBe('completed');
    expect((await keelJson(project, ['executions', 'show', queued.id])).execution.status).toBe('queued');
    expect(count(queued.folder, 'first.count')).toBe(0);
    writeFiles(queued.folder, { release: '' });
    expect((await keel(project, ['worker', '--once'])).code).toBe(0);
  });

  it('hands an execution still in flight back when the grace period ends, so the next worker takes it at once', async () => {
    const { id, folder } = await queueSlow();
    const live = worker('--grace', '200');
    await until('the worker to be inside "second"', () => exists(join(folder, 'second.count')));
    live.kill('SIGTERM');
    const result = await live.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`grace period over: handed back ${id}`);
    const handed = await keelJson(project, ['executions', 'show', id]);
    expect(handed.execution.status).toBe('running');
    expect(handed.execution.lease).toBeNull();
    writeFiles(folder, { release: '' });
    const next = await keel(project, ['worker', '--once']);
    expect(next.stdout).toMatch(new RegExp(`✓ ${id} slow abandoned → completed`));
    expect(count(folder, 'first.count')).toBe(1);
  });

  it('runs executions side by side with --concurrency, each exactly once', async () => {
    const a = await queueSlow();
    const b = await queueSlow();
    const pass = startKeel(project, ['worker', '--once', '--concurrency', '2']);
    children.push(pass);
    await until(
      'both executions to be inside "second" at the same time',
      () => exists(join(a.folder, 'second.count')) && exists(join(b.folder, 'second.count')),
    );
    writeFiles(a.folder, { release: '' });
    writeFiles(b.folder, { release: '' });
    const result = await pass.exited;
    expect(result.code, result.stderr).toBe(0);
    for (const { id, folder } of [a, b]) {
      expect(result.stdout).toMatch(new RegExp(`✓ ${id} slow queued → completed`));
      expect(count(folder, 'first.count')).toBe(1);
      expect(count(folder, 'second.count')).toBe(1);
    }
  });
});

describe('keel run interrupted', () => {
  it('hands the execution back on Ctrl-C (exit 130); resume continues it from its last checkpoint', async () => {
    const folder = join(project, 'interrupted');
    mkdirSync(folder);
    const run = startKeel(project, ['run', 'slow', '--input', JSON.stringify({ folder })]);
    children.push(run);
    await until('the run to be inside "second"', () => exists(join(folder, 'second.count')));
    const id = /ex_[0-9a-z]{18}/.exec(run.output().stdout)![0];
    run.kill('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`${id} was handed back`);
    expect(result.stderr).toContain(`keel executions resume ${id}`);
    expect((await keelJson(project, ['executions', 'show', id])).execution.lease).toBeNull();
    writeFiles(folder, { release: '' });
    const resumed = await keel(project, ['executions', 'resume', id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('output  3');
    expect(count(folder, 'first.count')).toBe(1);
    expect(count(folder, 'second.count')).toBe(2);
  });
});
