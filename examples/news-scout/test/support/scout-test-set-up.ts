import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult, Runtime } from '@keel/core';
import { readJsonLines } from '@keel/testkit';
import type { CallEvent } from '../../src/call-observer.js';

/** Settings the scout reads from the environment that must not leak in from the shell running the tests. */
const scoutSettings = ['NEWS_SCOUT_MODEL', 'NEWS_SCOUT_HOLD', 'NEWS_SCOUT_PACE_MS', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'KEEL_STORE'];

/** Interests of up to 20 recorded runs: each one's brief differs. */
export const interestSets = [
  'ai agents',
  'robotics',
  'climate',
  'chips',
  'space',
  'biotech',
  'energy',
  'security',
  'open source',
  'quantum computing',
  'ai agents, robotics',
  'climate, energy',
  'chips, security',
  'space, robotics',
  'biotech, ai agents',
  'open source, security',
  'quantum computing, chips',
  'energy, space',
  'robotics, climate',
  'ai agents, open source',
];

/** A test file's folder and call log, set up by {@link scoutTestSetUp}. */
export interface ScoutTestSetUp {
  /** A fresh temporary folder for the file's store and logs. */
  readonly workDir: string;
  /** The call observer's log (`NEWS_SCOUT_CALL_LOG`). */
  readonly callLog: string;
  /** The calls that really ran so far, as the observer logged them. */
  calls(): CallEvent[];
}

/**
 * Prepares the environment of a test file that runs the scout in this process: a temporary folder, the
 * call log the observer writes, and none of the scout's settings from the shell. The observer reads its
 * log file from the environment on first use, so call this before importing `@keel/core` or the scout
 * (import them with `await import(…)` after it).
 */
export function scoutTestSetUp(name: string): ScoutTestSetUp {
  const workDir = mkdtempSync(path.join(os.tmpdir(), `keel-news-scout-${name}-`));
  const callLog = path.join(workDir, 'calls.jsonl');
  process.env['NEWS_SCOUT_CALL_LOG'] = callLog;
  for (const setting of scoutSettings) delete process.env[setting];
  return { workDir, callLog, calls: () => readJsonLines<CallEvent>(callLog) };
}

/** The part of the scout module {@link recordApprovedRuns} drives. */
type Scout = Pick<typeof import('../../src/index.js'), 'newsScout' | 'approvalWaitName'>;

/**
 * Records one offline scout run per interests string, each approved at its wait and resumed: the
 * "last week's runs" an experiment replays. Returns each run's id and what its resume ended with.
 */
export async function recordApprovedRuns(
  runtime: Runtime,
  scout: Scout,
  interestSets: readonly string[],
): Promise<{ readonly executionId: string; readonly resumed: RunResult }[]> {
  const runs: { readonly executionId: string; readonly resumed: RunResult }[] = [];
  for (const interests of interestSets) {
    const { executionId } = await scout.newsScout.run({ interests, model: 'offline' });
    await runtime.executions.input(executionId, scout.approvalWaitName, { approve: true });
    runs.push({ executionId, resumed: await runtime.executions.resume(executionId) });
  }
  return runs;
}
