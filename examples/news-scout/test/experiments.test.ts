import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExperimentInfo } from '@keel/core';
import type { CallEvent } from '../src/call-observer.js';
import { interestSets, recordApprovedRuns, scoutTestSetUp } from './support/scout-test-set-up.js';

// The process's call observer reads its log file from the environment on first use: set it first.
const { workDir, calls } = scoutTestSetUp('experiments');

const core = await import('@keel/core');
const scout = await import('../src/index.js');

function startedSince(before: number, kind: CallEvent['kind']): CallEvent[] {
  return calls()
    .slice(before)
    .filter((event) => event.kind === kind && event.event === 'start');
}

let recorded: string[];
let cheaper: ExperimentInfo;
let toolCallsDuringCheaper: CallEvent[];

beforeAll(async () => {
  core.configure({ store: core.lowdbStore(path.join(workDir, 'store')) });
  const runtime = core.defaultRuntime();
  recorded = [];
  for (const { executionId, resumed } of await recordApprovedRuns(runtime, scout, interestSets)) {
    expect(resumed.status).toBe('completed');
    recorded.push(executionId);
  }
  const before = calls().length;
  cheaper = await scout.cheaperWriter.run();
  toolCallsDuringCheaper = startedSince(before, 'tool');
}, 120_000);

afterAll(async () => {
  await core.defaultRuntime().close();
});

describe("Try a cheaper model on last week's runs", () => {
  test('replays all 20 runs with the terse writer, and not one tool call runs live', () => {
    expect(cheaper.status).toBe('completed');
    expect(new Set(cheaper.cohortIds)).toEqual(new Set(recorded));
    expect(toolCallsDuringCheaper).toEqual([]);
    expect(cheaper.aggregate).toMatchObject({ members: 20, done: 20, completed: 20, changedOutputs: 20, tools: { live: 0, missed: 0 } });
    expect(cheaper.aggregate.tools.recorded).toBeGreaterThan(20 * 3); // Searches, reads and a source check per run.
  });

  test('says what changed: the brief cut to its headlines, fewer output tokens, a lower cost', () => {
    const member = cheaper.members[0]!;
    const comparison = member.comparison!;
    expect(comparison.firstDifference?.reason).toBe('a different result');
    expect(comparison.firstDifference?.checkpointId).toMatch(/^scout:1\/model:/);
    expect(comparison.output.diff).toMatch(/-\s+"outputTokens": \d+/);
    const draft = comparison.artifacts.find((artifact) => artifact.name === 'draft_report')!;
    expect(draft.equal).toBe(false);
    expect(draft.diff).toContain('+*2026');
    expect(draft.diff).toContain('written by keel-offline-scout-terse');
    expect(comparison.original.models).toEqual([scout.offlineModelId]);
    expect(comparison.replay.models).toEqual([scout.terseOfflineModelId]);
    expect(comparison.replay.outputTokens).toBeLessThan(comparison.original.outputTokens);
    expect(cheaper.aggregate.cost!.delta).toBeLessThan(0);
    expect(cheaper.aggregate.evaluations['keepsStories']).toEqual({ mean: 1, count: 20 });
  });

  test('with one tool live, only that tool runs, once per call the members make', async () => {
    const before = calls().length;
    const report = await scout
      .scoutExperiment('terse-fresh-sources', { modelId: scout.terseOfflineModelId, toolAnswers: { tools: { fetch_url: 'live' } }, limit: 5 })
      .run();
    const tools = startedSince(before, 'tool');
    expect(new Set(tools.map((event) => event.name))).toEqual(new Set(['fetch_url']));
    expect(report.aggregate.tools.live).toBe(tools.length);
    expect(report.aggregate.tools.live).toBeGreaterThan(0);
    expect(report.aggregate.tools.recorded).toBeGreaterThan(0);
    expect(report.aggregate.completed).toBe(5);
  });

  test("a search no recorded run made is a miss naming the call with onMiss 'fail', and runs with onMiss 'live'", async () => {
    const failing = await scout.scoutExperiment('wandering-fail', { modelId: scout.curiousOfflineModelId, limit: 2 }).run();
    expect(failing.aggregate).toMatchObject({ completed: 0, failed: 2, tools: { missed: 2, live: 0 } });
    const member = failing.members[0]!;
    expect(member.comparison!.tools.misses).toEqual([{ checkpointId: expect.stringMatching(/^scout:1\/search_news:/), tool: 'search_news', failed: true }]);
    const replay = await core.defaultRuntime().executions.get(member.replay!);
    expect(replay.error?.message).toMatch(/tool "search_news"/);

    const before = calls().length;
    const running = await scout
      .scoutExperiment('wandering-live', { modelId: scout.curiousOfflineModelId, limit: 2, toolAnswers: { default: { mode: 'recorded', onMiss: 'live' } } })
      .run();
    const searches = startedSince(before, 'tool');
    expect(searches.map((event) => event.detail)).toEqual(expect.arrayContaining([expect.stringMatching(/ outlook$/)]));
    expect(running.aggregate).toMatchObject({ completed: 2, tools: { missed: 2, live: 2 } });
    expect(searches).toHaveLength(2);
  });
});
