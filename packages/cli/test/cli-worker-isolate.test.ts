import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProject, keel, keelJson, jsonLines, killChildren, removeProjects, startKeel, until, writeFiles } from './cli-harness.js';

// On its first attempt (no marker file yet) the hog allocates until its process runs out of heap;
// recovered, it finds the marker and finishes. Every checkpoint appends "<id> <step> <pid>" to a log.
const hogFlow = `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { checkpoint, flow } from '@keel/core';

const note = (executionId: string, step: string) => appendFileSync('steps.log', executionId + ' ' + step + ' ' + process.pid + '\\n');

export const hog = flow('hog', async () => {
  await checkpoint('before', ({ executionId }) => note(executionId, 'before'));
  const size = await checkpoint('allocate', ({ executionId }) => {
    note(executionId, 'allocate');
    if (!existsSync('hog.marker')) {
      writeFileSync('hog.marker', '');
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
    }
    return 1;
  });
  return 'survived ' + size;
});

export const sleeper = flow('sleeper', async () => {
  await checkpoint('nap', async ({ executionId }) => {
    note(executionId, 'nap');
    if (!existsSync('sleeper.marker')) {
      writeFileSync('sleeper.marker', '');
      await new Promise(() => {});
    }
  });
  return 'woke';
});

export const doomed = flow('doomed', async () =>
  checkpoint('allocate', () => {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
  }),
);

export const steady = flow('steady', async (input: { n: number }) => checkpoint('double', ({ executionId }) => (note(executionId, 'double'), input.n * 2)));
`;

let project: string;
const children: ReturnType<typeof startKeel>[] = [];

beforeAll(async () => {
  project = createProject('link');
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/hog.ts': hogFlow });
});

afterEach(() => killChildren(children));

afterAll(() => removeProjects());

const events = jsonLines;

function steps(executionId: string): string[] {
  const file = join(project, 'steps.log');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith(`${executionId} `))
    : [];
}

describe('keel worker --isolate', () => {
  it('runs each execution in its own process: one that runs out of memory or time is killed and recovered, the worker and the other runs go on', async () => {
    const queue = async (flow: string, input?: unknown) =>
      (await keelJson(project, ['run', flow, '--queue', ...(input !== undefined ? ['--input', JSON.stringify(input)] : [])])).executionId as string;
    const hog = await queue('hog');
    const sleeper = await queue('sleeper');
    const steady = [await queue('steady', { n: 1 }), await queue('steady', { n: 2 }), await queue('steady', { n: 3 })];

    const worker = startKeel(project, ['worker', '--isolate', '--memory-mb', '128', '--timeout-ms', '15000', '--concurrency', '2', '--poll', '50', '--json']);
    children.push(worker);
    const finished = (id: string) => events(worker).some((event) => event.event === 'execution' && event.executionId === id && event.status === 'completed');
    await until('every execution to complete', () => [hog, sleeper, ...steady].every(finished), 120_000);

    // The hog's first process ran out of heap: reported, and its execution recovered and completed.
    const crashes = events(worker).filter((event) => event.event === 'execution' && event.error);
    expect(crashes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          executionId: hog,
          error: { name: 'IsolatedRunCrashedError', message: expect.stringContaining('ran out of memory (--memory-mb 128)') },
        }),
        expect.objectContaining({
          executionId: sleeper,
          error: { name: 'IsolatedRunCrashedError', message: expect.stringContaining('ran past --timeout-ms 15000 and was killed') },
        }),
      ]),
    );
    expect(crashes).toHaveLength(2);
    expect((await keelJson(project, ['executions', 'show', hog])).execution).toMatchObject({ status: 'completed', output: 'survived 1' });
    expect((await keelJson(project, ['executions', 'show', sleeper])).execution).toMatchObject({ status: 'completed', output: 'woke' });
    for (const [index, id] of steady.entries()) expect((await keelJson(project, ['executions', 'show', id])).execution.output).toBe((index + 1) * 2);

    // Each execution ran in a process of its own, none of them the worker's; the hog's completed
    // checkpoint was reused by the second process, its interrupted one ran again there.
    const pidOf = (line: string) => Number(line.split(' ')[2]);
    const hogSteps = steps(hog);
    expect(hogSteps.map((line) => line.split(' ')[1])).toEqual(['before', 'allocate', 'allocate']);
    expect(pidOf(hogSteps[1]!)).not.toBe(pidOf(hogSteps[2]!));
    const pids = [hog, sleeper, ...steady].flatMap(steps).map(pidOf);
    expect(pids).not.toContain(worker.pid);
    expect(new Set(steady.flatMap(steps).map(pidOf)).size).toBe(3);

    // The worker itself lived through it all and stops cleanly.
    expect(worker.exitCode).toBeNull();
    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  }, 180_000);

  it('leaves an execution whose process dies every time alone after three tries, and goes on with the others', async () => {
    const doomed = (await keelJson(project, ['run', 'doomed', '--queue'])).executionId as string;
    const worker = startKeel(project, ['worker', '--isolate', '--memory-mb', '128', '--poll', '50', '--json']);
    children.push(worker);
    const crashes = () => events(worker).filter((event) => event.executionId === doomed && event.error?.name === 'IsolatedRunCrashedError');
    await until('the third crash', () => crashes().length === 3, 120_000);
    expect(crashes().at(-1)!.error.message).toContain(
      `That is 3 times in this worker, which now leaves it alone (still running, abandoned): raise the limit and resume it (keel executions resume ${doomed})`,
    );
    // Work queued afterwards runs; the doomed execution is not tried a fourth time.
    const steady = (await keelJson(project, ['run', 'steady', '--queue', '--input', '{"n":21}'])).executionId as string;
    await until('the steady run', () => events(worker).some((event) => event.executionId === steady && event.status === 'completed'), 60_000);
    expect(crashes()).toHaveLength(3);
    expect((await keelJson(project, ['executions', 'show', doomed])).execution.status).toBe('running');
    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    // Cancelled, so the other tests' workers leave it be.
    expect((await keel(project, ['executions', 'cancel', doomed])).code).toBe(0);
  }, 180_000);

  it('refuses limits without --isolate (exit 2)', async () => {
    const refused = await keel(project, ['worker', '--once', '--memory-mb', '64']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--memory-mb: limits apply to isolated runs: add --isolate.');
  });
});
