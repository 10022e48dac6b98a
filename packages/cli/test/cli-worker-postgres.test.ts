import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProject, keel, keelJson, linkStorePackages, removeProjects, startKeel, until, writeFiles } from './cli-harness.js';
import { createTestSchema, type TestSchema } from './postgres-schema.js';

const approvalFlow = `import { checkpoint, flow, wait } from '@keel/core';
import { z } from 'zod';

export const approval = flow('approval', async (input: { item: string }) => {
  const quote = await checkpoint('quote', () => input.item.length * 10);
  const ok = await wait('approve', { schema: z.boolean(), question: 'Spend ' + quote + '?' });
  return ok ? 'bought ' + input.item : 'not bought';
});
`;

// Four checkpoints, each appending "<executionId> <step> <pid>" to a shared file (O_APPEND, one
// write per line) and sleeping a little. In a worker started with KEEL_TEST_HOLD=<marker file>, once
// that file exists every step holds after its side effect (noting "<executionId> <step> <pid>" in
// <marker>.held), so the test knows exactly which executions that worker has in flight when it is killed.
const stepsFlow = `import { checkpoint, flow } from '@keel/core';
import { appendFileSync, existsSync } from 'node:fs';

export const steps = flow('steps', async (input: { file: string }) => {
  for (let step = 1; step <= 4; step++) {
    await checkpoint('step', async ({ executionId }) => {
      appendFileSync(input.file, executionId + ' ' + step + ' ' + process.pid + '\\n', { flag: 'a' });
      const marker = process.env.KEEL_TEST_HOLD;
      if (marker && existsSync(marker)) {
        appendFileSync(marker + '.held', executionId + ' ' + step + ' ' + process.pid + '\\n', { flag: 'a' });
        await new Promise(() => setInterval(() => {}, 1000));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      return step;
    });
  }
  return 'done';
}, { version: 'steps-v1' });
`;

// Queues executions through the core API on the same store (faster than 200 \`keel run --queue\`).
const queueScript = `import { createRuntime } from '@keel/core';
import { postgresStore } from '@keel/store-postgres';
const [url, count, file] = process.argv.slice(2);
const store = postgresStore(url);
// The workers run flows/steps.ts; this stand-in body records its code version, or they would leave
// every execution to the version derived from the stand-in's source.
const runtime = createRuntime({ store });
runtime.flow('steps', async () => {}, { version: 'steps-v1' });
for (let index = 0; index < Number(count); index++) await runtime.start('steps', { file });
await runtime.close();
`;

// Every execution with its checkpoint records, as JSON.
const inspectScript = `import { postgresStore } from '@keel/store-postgres';
const store = postgresStore(process.argv[2]);
const executions = await store.listExecutions({ limit: 100000 });
const result = [];
for (const execution of executions) {
  const checkpoints = await store.listCheckpoints(execution.id);
  result.push({ id: execution.id, status: execution.status, sessions: execution.sessions, checkpoints: checkpoints.map(({ id, status, attempts }) => ({ id, status, attempts })) });
}
await store.close();
process.stdout.write(JSON.stringify(result));
`;

let project: string;
const schemas: TestSchema[] = [];
const children: ReturnType<typeof startKeel>[] = [];

beforeAll(async () => {
  project = createProject('link');
  linkStorePackages(project);
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/approval.ts': approvalFlow, 'flows/steps.ts': stepsFlow, 'queue.mjs': queueScript, 'inspect.mjs': inspectScript });
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
});

afterAll(async () => {
  for (const schema of schemas.splice(0)) await schema.drop();
  removeProjects();
});

async function freshSchema(): Promise<string> {
  const schema = await createTestSchema();
  schemas.push(schema);
  return schema.url;
}

function worker(store: string, options: string[], environment: Record<string, string> = {}) {
  const child = startKeel(project, ['worker', '--json', '--store', store, ...options], environment);
  children.push(child);
  return child;
}

function events(child: ReturnType<typeof worker>): Array<Record<string, any>> {
  return child
    .output()
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

async function node(script: string, ...args: string[]): Promise<string> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`node ${script} exited ${code}`))));
  });
}

describe('keel worker on PostgreSQL', () => {
  it('wakes on notifications: with a 60 s poll, a queued run and then its input are picked up at once', async () => {
    const store = await freshSchema();
    // Create the schema first, so the worker's listener has channels to listen on from the start.
    expect((await keel(project, ['executions', 'list', '--store', store])).code).toBe(0);
    const child = worker(store, ['--poll', '60000']);
    await until('the worker to listen', () => events(child).some((event) => event.event === 'listening'));
    const queued = await keelJson(project, ['run', 'approval', '--input', '{"item":"lamp"}', '--queue', '--store', store]);
    await until('the worker to run the queued execution to its wait', () =>
      events(child).some((event) => event.executionId === queued.executionId && event.status === 'waiting'),
    );
    expect((await keel(project, ['executions', 'input', queued.executionId, '--value', 'true', '--store', store])).code).toBe(0);
    await until('the worker to resume it after the input', () =>
      events(child).some((event) => event.executionId === queued.executionId && event.status === 'completed'),
    );
    expect((await keelJson(project, ['executions', 'show', queued.executionId, '--store', store])).execution.output).toBe('bought lamp');
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  }, 60_000);

  it('four workers × concurrency 2 run 200 executions exactly once, and recover the executions of one SIGKILLed in the middle', async () => {
    const store = await freshSchema();
    const file = join(project, 'steps.log');
    const hold = join(project, 'hold-victim');
    const held = `${hold}.held`;
    const total = 200;
    const startedAt = Date.now();
    expect((await keel(project, ['executions', 'list', '--store', store])).code).toBe(0);
    const options = ['--concurrency', '2', '--poll', '250'];
    const workers = [worker(store, options, { KEEL_TEST_HOLD: hold }), ...Array.from({ length: 3 }, () => worker(store, options))];
    for (const child of workers) await until('the workers to listen', () => events(child).some((event) => event.event === 'listening'), 30_000);
    await node('queue.mjs', store, String(total), file);

    // Once the first worker has completed a few executions, it holds the next step of each execution it
    // runs; with both its slots held, it is killed with exactly those two executions in flight.
    const victim = workers[0]!;
    await until('the first worker to complete 10 executions', () => events(victim).filter((event) => event.status === 'completed').length >= 10, 60_000);
    writeFileSync(hold, '');
    const heldLines = () => (existsSync(held) ? readFileSync(held, 'utf8').trim().split('\n').filter(Boolean) : []);
    await until('the first worker to hold two executions', () => heldLines().length === 2, 60_000);
    // A step's `running` record is written once the step has run a moment (core's README, "A live call
    // costs one store write"): the worker is killed once both held steps are recorded as running, so the
    // attempts it is killed in count.
    await until(
      'the held steps to be recorded as running',
      async () => {
        const recorded = JSON.parse(await node('inspect.mjs', store)) as Array<{ id: string; checkpoints: Array<{ id: string; status: string }> }>;
        return heldLines().every((line) => {
          const [executionId, step] = line.split(' ');
          const execution = recorded.find((candidate) => candidate.id === executionId);
          return execution?.checkpoints.some((checkpoint) => checkpoint.id === `step:${step}` && checkpoint.status === 'running') ?? false;
        });
      },
      60_000,
    );
    victim.kill('SIGKILL');
    await victim.exited;
    const inFlight = heldLines()
      .map((line) => line.split(' ')[0]!)
      .sort();
    expect(new Set(inFlight).size).toBe(2);

    let executions: Array<{ id: string; status: string; sessions: number; checkpoints: Array<{ id: string; status: string; attempts: number }> }> = [];
    await until(
      'every execution to complete',
      async () => {
        executions = JSON.parse(await node('inspect.mjs', store));
        return executions.length === total && executions.every((execution) => execution.status === 'completed');
      },
      90_000,
    );
    const durationMs = Date.now() - startedAt;
    for (const child of workers.slice(1)) child.kill('SIGTERM');
    const survivors = await Promise.all(workers.slice(1).map((child) => child.exited));
    for (const result of survivors) expect(result.code).toBe(0);

    // Every execution completed exactly once: one completion reported for each, by one worker.
    const completions = workers.flatMap((child) =>
      events(child)
        .filter((event) => event.status === 'completed')
        .map((event) => event.executionId as string),
    );
    expect(completions).toHaveLength(total);
    expect(new Set(completions).size).toBe(total);
    expect(new Set(completions)).toEqual(new Set(executions.map((execution) => execution.id)));
    const completedByVictim = events(victim).filter((event) => event.status === 'completed').length;
    expect(completedByVictim).toBeGreaterThanOrEqual(10);

    // The two executions the killed worker had in flight were recovered by the others — each once, found
    // running — and they are the only executions that needed a second session.
    const recovered = workers.slice(1).flatMap((child) => events(child).filter((event) => event.found === 'running'));
    expect(recovered.map((event) => event.executionId).sort()).toEqual(inFlight);
    for (const event of recovered) expect(event.status).toBe('completed');
    expect(
      executions
        .filter((execution) => execution.sessions > 1)
        .map((execution) => execution.id)
        .sort(),
    ).toEqual(inFlight);

    // The side effects: every step of every execution ran; exactly the held steps ran twice, first in the killed worker.
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    const runs = new Map<string, string[]>();
    for (const [executionId, step, pid] of lines) runs.set(`${executionId} ${step}`, [...(runs.get(`${executionId} ${step}`) ?? []), pid!]);
    expect(runs.size).toBe(total * 4);
    const heldSteps = heldLines()
      .map((line) => line.split(' ').slice(0, 2).join(' '))
      .sort();
    const twice = [...runs].filter(([, pids]) => pids.length > 1);
    expect(twice.map(([key]) => key).sort()).toEqual(heldSteps);
    for (const [, pids] of twice) expect(pids).toEqual([String(victim.pid), expect.not.stringMatching(`^${victim.pid}$`)]);

    // The records: four completed checkpoints each; a second attempt exactly at the held steps.
    const retried: string[] = [];
    for (const execution of executions) {
      expect(execution.checkpoints.map((checkpoint) => `${checkpoint.id} ${checkpoint.status}`)).toEqual([
        'step:1 completed',
        'step:2 completed',
        'step:3 completed',
        'step:4 completed',
      ]);
      for (const checkpoint of execution.checkpoints) {
        expect(checkpoint.attempts).toBeLessThanOrEqual(2);
        if (checkpoint.attempts === 2) retried.push(`${execution.id} ${checkpoint.id.slice('step:'.length)}`);
      }
    }
    expect(retried.sort()).toEqual(heldSteps);
    console.log(
      `4 workers × concurrency 2, ${total} executions × 4 checkpoints: all completed in ${durationMs} ms; the killed worker completed ${completedByVictim}, the others recovered the ${recovered.length} it had in flight; ` +
        `${retried.length} checkpoints ran a second attempt (${twice.length} side effects twice), all held in the killed worker`,
    );
  }, 150_000);
});
