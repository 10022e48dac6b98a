import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test, vi } from 'vitest';
import { killAllChildren, startChild } from '@keel/testkit';
import type { CallEvent } from '../src/call-observer.js';
import { interestSets, recordApprovedRuns, scoutTestSetUp } from './support/scout-test-set-up.js';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keelBin = path.join(projectDir, 'node_modules', '@keel', 'cli', 'dist', 'bin.js');
const { workDir, callLog, calls } = scoutTestSetUp('experiment-crash');
const store = path.join(workDir, 'store');

const core = await import('@keel/core');
const scout = await import('../src/index.js');

afterEach(() => killAllChildren());

/** Calls of the terse model that a process started: what the "provider" was asked, and paid for. */
function terseCalls(pid: number | undefined): CallEvent[] {
  return calls().filter((event) => event.pid === pid && event.name === scout.terseOfflineModelId && event.event === 'start');
}

const members = 8;

test('an experiment killed with SIGKILL resumes with the members not done, and never replays a finished one again', async () => {
  core.configure({ store: core.lowdbStore(store) });
  const runtime = core.defaultRuntime();
  let modelCalls = 0;
  for (const { executionId } of await recordApprovedRuns(runtime, scout, interestSets.slice(0, members))) {
    modelCalls += (await runtime.executions.checkpoints(executionId, { payloads: false })).filter((record) => record.kind === 'model').length;
  }
  await runtime.close();

  // Hold a terse-model call past the middle of the experiment (4 members replay at a time), and kill there.
  const env = { KEEL_STORE: store, NEWS_SCOUT_CALL_LOG: callLog, NO_COLOR: '1' };
  const first = startChild(keelBin, ['experiments', 'run', 'cheaper-writer', '--json'], {
    cwd: projectDir,
    env: { ...env, NEWS_SCOUT_HOLD: `${scout.terseOfflineModelId}:${Math.ceil(modelCalls / 2) + 4}` },
  });
  await vi.waitFor(() => expect(calls().some((event) => event.pid === first.process.pid && event.event === 'hold')).toBe(true), {
    timeout: 60_000,
    interval: 20,
  });
  expect((await first.kill()).signal).toBe('SIGKILL');

  const [killed] = await runtime.experiments.list({ name: 'cheaper-writer' });
  const before = await runtime.experiments.get(killed!.id);
  expect(before.status).toBe('running');
  expect(before.members.length).toBeGreaterThan(0);
  expect(before.members.length).toBeLessThan(members);
  // Replays the killed process started: a member cut after its replay ended keeps that replay.
  const replaysOf = async () =>
    (await runtime.executions.list({ flow: scout.newsScoutFlowName })).filter((execution) => execution.metadata?.['experiment'] === killed!.id);
  const startedBefore = new Map((await replaysOf()).map((execution) => [execution.id, execution.status]));
  await runtime.close();

  const second = startChild(keelBin, ['experiments', 'resume', killed!.id, '--json'], { cwd: projectDir, env });
  const exit = await second.exited;
  expect(exit.code, exit.stderr).toBe(0);
  const after = JSON.parse(exit.stdout) as Awaited<ReturnType<typeof runtime.experiments.get>>;
  expect(after.status).toBe('completed');
  expect(after.aggregate).toMatchObject({ members, done: members, completed: members, tools: { live: 0 } });

  // Members done before the kill kept their replays, and so did a member whose replay had ended when
  // the kill came; the resumed process called the model only for the replays it made.
  const done = new Map(before.members.map((member) => [member.original, member.replay]));
  for (const member of after.members) if (done.has(member.original)) expect(member.replay).toBe(done.get(member.original));
  const owed = after.members.filter((member) => !done.has(member.original));
  for (const member of owed.filter((member) => startedBefore.has(member.replay!))) expect(startedBefore.get(member.replay!)).toBe('completed');
  const replayedAgain = owed.filter((member) => !startedBefore.has(member.replay!));
  const owedModelCalls = replayedAgain.reduce((sum, member) => sum + member.comparison!.replay.modelCalls, 0);
  expect(terseCalls(second.process.pid)).toHaveLength(owedModelCalls);
  expect(owedModelCalls).toBeLessThan(modelCalls);

  // The replay the kill cut short was stopped, not left for a worker to finish without the change.
  const replays = await replaysOf();
  expect(replays.filter((execution) => execution.status === 'completed')).toHaveLength(members);
  expect(replays.filter((execution) => execution.status !== 'completed').every((execution) => execution.status === 'cancelled')).toBe(true);
  await runtime.close();

  // The tables read the store alone.
  const list = await startChild(keelBin, ['experiments', 'list'], { cwd: projectDir, env }).exited;
  expect(list.stdout).toMatch(
    new RegExp(`${killed!.id}\\s+cheaper-writer\\s+completed\\s+(just now|\\S+ ago)\\s+${members}/${members}\\s+${members}\\s+\\d+/0/0`),
  );
  const show = await startChild(keelBin, ['experiments', 'show', killed!.id], { cwd: projectDir, env }).exited;
  expect(show.stdout).toContain(`Cohort: flow news_scout, ${members}/${members} members done (4 at a time)`);
  expect(show.stdout).toContain('Change: model keel-offline-scout → keel-offline-scout-terse, tools recorded, on a miss fail');
  for (const member of after.members)
    expect(show.stdout).toMatch(new RegExp(`${member.original}\\s+${member.replay}\\s+completed\\s+changed\\s+scout:1/model:`));
}, 180_000);
