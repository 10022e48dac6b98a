import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRuntime, lowdbStore, type CheckpointInfo, type Runtime } from '@keel/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CallEvent } from '../src/call-observer.js';
import type { DemoSummary } from '../src/demo/demo-summary.js';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demoScript = path.join(projectDir, 'dist', 'demo.js');
const interests = ['robotics', 'climate'];

let workDir: string;
let store: string;
let summary: DemoSummary;
let output: string;
let exitCode: number | null;
let runtime: Runtime;
let checkpoints: CheckpointInfo[];
let calls: CallEvent[];

/** The environment of a run that must not reach a real provider, whatever the developer's shell has. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, KEEL_STORE: store, NO_COLOR: '1' };
  for (const name of Object.keys(environment)) {
    if (name.startsWith('NEWS_SCOUT_') || name === 'OPENAI_API_KEY' || name === 'ANTHROPIC_API_KEY' || name === 'FORCE_COLOR') delete environment[name];
  }
  return environment;
}

beforeAll(async () => {
  if (!existsSync(demoScript)) throw new Error(`${demoScript} is missing: run \`pnpm --filter news-scout build\` first.`);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'keel-news-scout-test-'));
  store = path.join(workDir, 'store');
  const summaryFile = path.join(workDir, 'summary.json');
  // The demo as a newcomer runs it without a terminal: --yes, no TTY (stdin ignored, stdout a pipe).
  const child = spawn(process.execPath, [demoScript, '--yes', '--offline', '--pace', '0', '--interests', interests.join(', '), '--summary', summaryFile], {
    cwd: projectDir,
    env: offlineEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (exitCode !== 0) throw new Error(`The demo exited with ${exitCode}:\n${output}`);
  summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as DemoSummary;
  runtime = createRuntime({ store: lowdbStore(store) });
  checkpoints = await runtime.executions.checkpoints(summary.executionId);
  calls = readFileSync(summary.callLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CallEvent);
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  if (summary?.callLog) rmSync(path.dirname(summary.callLog), { recursive: true, force: true });
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const isCall = (checkpoint: CheckpointInfo) => checkpoint.kind === 'model' || checkpoint.kind === 'tool';
const started = (pid: number) => calls.filter((event) => event.pid === pid && event.event === 'start');

describe('pnpm demo (node dist/demo.js --yes), without a terminal, in a temp store', () => {
  test('killed the child running the flow with SIGKILL in the middle of an investigate call', () => {
    const kill = summary.kill!;
    expect(kill).not.toBeNull();
    expect(kill.signal).toBe('SIGKILL');
    expect(kill.exitSignal).toBe('SIGKILL');
    expect(kill.pid).toBe(summary.run.pid);
    expect(kill.during).toMatch(/^scout:1\/investigate:/);
    // Mid-run: two reads finished before it (5 planned), and more calls came after it.
    expect(kill.completedBefore.filter((id) => id.includes('/investigate:'))).toHaveLength(2);
    expect(checkpoints.filter(isCall).length).toBeGreaterThan(kill.completedBefore.length + 1);
    // The killed process's own log: it started every completed call, plus the one it was holding.
    const killed = started(kill.pid);
    expect(killed).toHaveLength(kill.completedBefore.length + 1);
    expect(calls.filter((event) => event.pid === kill.pid && event.event === 'hold')).toHaveLength(1);
    expect(killed.some((event) => event.event === 'start' && event.kind === 'tool' && event.name === 'investigate')).toBe(true);
    expect(output).toContain(`kill -9 ${kill.pid}`);
  });

  test('the resumed run re-executed only the unfinished call, then the calls never reached', () => {
    const kill = summary.kill!;
    const resume = summary.resume!;
    expect(resume.pid).not.toBe(kill.pid);
    expect(resume.reran).toEqual([kill.during]);
    expect([...resume.reused].sort()).toEqual([...kill.completedBefore].sort());
    const byId = new Map(checkpoints.map((checkpoint) => [checkpoint.id, checkpoint]));
    // In the store: everything completed before the kill ran once; the cut call twice.
    for (const id of kill.completedBefore) expect(byId.get(id)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(byId.get(kill.during)).toMatchObject({ status: 'completed', attempts: 2 });
    for (const id of resume.ran) expect(byId.get(id)).toMatchObject({ status: 'completed', attempts: 1 });
    // In the call log: the new process made exactly the calls that were not finished, and no other.
    const made = started(resume.pid);
    expect(made).toHaveLength(resume.reran.length + resume.ran.length);
    expect(made.filter((event) => event.kind === 'model')).toHaveLength(resume.ran.filter((id) => id.includes('/model:')).length);
    const killedToolDetails = new Set(
      calls.filter((event) => event.pid === kill.pid && event.event === 'end' && event.kind === 'tool').map((event) => `${event.name} ${event.detail}`),
    );
    const heldDetail = calls.find((event) => event.pid === kill.pid && event.event === 'hold')!;
    const repeated = made.filter((event) => event.kind === 'tool' && killedToolDetails.has(`${event.name} ${event.detail}`));
    expect(repeated).toEqual([]);
    expect(made.filter((event) => event.kind === 'tool' && event.name === heldDetail.name && event.detail === heldDetail.detail)).toHaveLength(1);
    // And what that saved, as the demo reported it.
    expect(summary.savings!.reused.calls).toBe(kill.completedBefore.length);
    expect(summary.savings!.reused.inputTokens).toBeGreaterThan(0);
    expect(summary.savings!.costSaved).toBeGreaterThan(0);
    expect(summary.savings!.price).toMatchObject({ model: 'gpt-4.1', illustration: true });
  });

  test('the approval paused the run with no process running; the answer resumed it without a single call', async () => {
    const approval = summary.approval!;
    expect(approval.question).toBe('Approve publishing this brief?');
    expect(approval.statusWhileWaiting).toBe('waiting');
    expect(approval.exitCodeAtWait).toBe(3);
    expect(approval.answer).toEqual({ approve: true });
    expect(approval.callsMadeAfterAnswer).toEqual({ model: 0, tool: 0 });
    const [wait] = await runtime.executions.waits(summary.executionId);
    expect(wait).toMatchObject({ name: 'approve_publish', question: 'Approve publishing this brief?', status: 'resolved', input: { approve: true } });
    expect(wait!.resolvedBy).toMatch(/^cli:/);
    // Publishing came after the approval, in the third process.
    const publish = checkpoints.find((checkpoint) => checkpoint.id === 'publish_report:1')!;
    const approve = checkpoints.find((checkpoint) => checkpoint.id === 'approve_publish:1')!;
    expect(publish.seq).toBeGreaterThan(approve.seq);
    const execution = await runtime.executions.get(summary.executionId);
    expect(execution).toMatchObject({ status: 'completed', sessions: 3 });
    expect(execution.output).toMatchObject({ published: true, report: 'final_report', interests });
  });

  test('final_report exists and is the brief for the chosen interests', async () => {
    const { value, record } = await runtime.executions.artifact(summary.executionId, 'final_report');
    expect(record.type).toBe('markdown');
    expect(value).toMatch(/^# News Scout brief: robotics, climate/);
    expect(value).toContain('## Send now');
    expect(value).toContain('Delegates at Lisbon climate talks agree methane tracking rules');
    expect(summary.final).toEqual({ status: 'completed', published: true, artifact: 'final_report' });
  });

  test('the keel commands it prints work as printed (pnpm exec keel, run in examples/news-scout)', async () => {
    // The printed text itself, through a shell, with `pnpm exec keel` standing for the CLI's bin.
    const run = async (key: string) => {
      const command = summary.commands[key]!;
      expect(command.startsWith('pnpm exec keel ')).toBe(true);
      const script = `pnpm() { shift 2; "${process.execPath}" "${summary.keelBin}" "$@"; }; ${command}`;
      return promisify(execFile)('sh', ['-c', script], { cwd: summary.projectDir, env: { ...offlineEnvironment(), KEEL_STORE: '' } }).catch(
        (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
      );
    };
    const report = await run('artifact');
    expect(report.stdout).toMatch(/^# News Scout brief: robotics, climate/);
    const shown = await run('show');
    expect(shown.stdout).toContain(summary.executionId);
    expect(shown.stdout).toContain('publish_report:1');
    // The override replay: a new execution, the search result replaced, the rest run again up to the approval.
    const replay = await run('replayOverride');
    expect((replay as { code?: number }).code).toBe(3);
    expect(replay.stdout).toMatch(/overridden\s+scout:1\/search_news:/);
    const replays = (await runtime.executions.list({ flow: 'news_scout' })).filter((execution) => execution.id !== summary.executionId);
    expect(replays).toHaveLength(1);
    const draft = String((await runtime.executions.artifact(replays[0]!.id, 'draft_report')).value);
    expect(draft).toMatch(/^# News Scout brief: robotics, climate/);
    expect(draft).not.toEqual((await runtime.executions.artifact(summary.executionId, 'final_report')).value);
  });
});
