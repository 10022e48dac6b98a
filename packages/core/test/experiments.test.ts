import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, ExecutionStateError, llmJudge, lowdbStore, wait, type ExperimentDefinition, type Runtime } from '../src/index.js';
import { durableCall, replayChange, requestFingerprint } from '../src/adapter.js';

/** A scripted model: it plans searches for a topic and writes a brief from their results. */
interface ScriptedModel {
  readonly modelId: string;
  plan(topic: string): string[];
  write(results: readonly string[]): string;
}

const verbose: ScriptedModel = {
  modelId: 'verbose-1',
  plan: (topic) => [topic, `${topic} news`],
  write: (results) => `A long brief, in full sentences, covering: ${results.join('; ')}.`,
};
const terse: ScriptedModel = { modelId: 'terse-1', plan: verbose.plan, write: (results) => `Brief: ${results.length} items.` };
const curious: ScriptedModel = { modelId: 'curious-1', plan: (topic) => [...verbose.plan(topic), `${topic} history`], write: terse.write };

/** Counts what really ran: a replay answered from records adds nothing here. */
const live = { model: 0, tool: 0 };

/** A tiny harness, as an adapter would wrap one: model calls and tool calls as checkpoints, and the replay change consulted on each. */
function modelCall<T>(model: ScriptedModel, ask: (model: ScriptedModel) => T): Promise<T> {
  const chosen = (replayChange()?.model(model.modelId) as ScriptedModel | undefined) ?? model;
  return durableCall({ name: 'model', kind: 'model', metadata: { model: { modelId: chosen.modelId } } }, (context) => {
    live.model += 1;
    const answer = ask(chosen);
    context.setMetadata({ usage: { inputTokens: 100, outputTokens: JSON.stringify(answer).length } });
    return answer;
  });
}

function search(query: string): Promise<string> {
  const replaced = replayChange()?.tool('search');
  return durableCall({ name: 'search', kind: 'tool', fingerprint: requestFingerprint({ tool: 'search', input: query }) }, () => {
    if (replaced) return replaced(query) as string;
    live.tool += 1;
    return `results for "${query}"`;
  });
}

function setup(): { runtime: Runtime } {
  const runtime = createRuntime({ store: lowdbStore(mkdtempSync(join(tmpdir(), 'keel-experiments-'))) });
  runtime.flow('research', async (topic: string) => {
    const queries = await modelCall(verbose, (model) => model.plan(topic));
    const results: string[] = [];
    for (const query of queries) results.push(await search(query));
    const brief = await modelCall(verbose, (model) => model.write(results));
    const approved = await wait('approve', { schema: z.boolean() });
    return { brief, approved };
  });
  return { runtime };
}

async function record(runtime: Runtime, topics: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const topic of topics) {
    const { executionId } = await runtime.run('research', topic);
    await runtime.executions.input(executionId, 'approve', true);
    expect((await runtime.executions.resume(executionId)).status).toBe('completed');
    ids.push(executionId);
  }
  return ids;
}

const swap = (model: ScriptedModel, extra: Partial<ExperimentDefinition> = {}): ExperimentDefinition => ({
  cohort: { flow: 'research' },
  change: { models: { 'verbose-1': model } },
  ...extra,
});

describe('experiments', () => {
  it('replays a cohort with a swapped model, answers every tool from records, and compares each member', async () => {
    const { runtime } = setup();
    const originals = await record(runtime, ['robots', 'agents', 'chips']);
    const before = { ...live };
    const report = await runtime.experiment('terse', swap(terse, { concurrency: 2 })).run();

    expect(live.tool - before.tool).toBe(0); // Not one search ran: all were answered from the originals.
    expect(live.model - before.model).toBe(6); // Both model calls ran again, with the terse model.
    expect(report.status).toBe('completed');
    expect(report.cohortIds).toEqual([...originals].reverse());
    expect(report.aggregate).toMatchObject({ members: 3, done: 3, completed: 3, changedOutputs: 3, tools: { recorded: 6, live: 0, missed: 0, reused: 0 } });
    expect(report.aggregate.tokens.delta).toBeLessThan(0);
    const member = report.members[0]!;
    expect(member.comparison!.firstDifference).toEqual({ checkpointId: 'model:2', reason: 'a different result' });
    expect(member.comparison!.output.diff).toContain('+  "brief": "Brief: 2 items."');
    expect(member.comparison!.replay.models).toEqual(['terse-1']);
    const replay = await runtime.executions.get(member.replay!);
    expect(replay.replayOf).toMatchObject({ executionId: member.original, change: { models: { 'verbose-1': 'terse-1' }, experiment: report.id } });
    expect(replay.metadata).toMatchObject({ experiment: report.id, member: member.original });
    // The approval the original got answers the replay's wait: nobody is asked again.
    expect(replay.output).toEqual({ brief: 'Brief: 2 items.', approved: true });
    expect((await runtime.experiments.list()).map((experiment) => experiment.id)).toEqual([report.id]);
  });

  it('answers tools recorded from the first call the change touches, and counts each kind of answer', async () => {
    const { runtime } = setup();
    await record(runtime, ['robots']);
    const before = { ...live };
    const report = await runtime
      .experiment('plan-again', { cohort: { flow: 'research' }, change: { instructions: 'Be brief.', toolAnswers: { tools: { search: 'live' } } } })
      .run();
    // Instructions change every model call, so the run starts again at the first: both searches ran live by policy.
    expect(live.tool - before.tool).toBe(2);
    expect(report.aggregate.tools).toMatchObject({ live: 2, recorded: 0 });

    const recorded = await runtime.experiment('plan-recorded', { cohort: { flow: 'research' }, change: { instructions: 'Be brief.' } }).run();
    expect(recorded.aggregate.tools).toMatchObject({ live: 0, recorded: 2 });
    expect(recorded.members[0]!.comparison!.output.equal).toBe(true);
  });

  it("reports a call the original never made as a miss with onMiss 'fail', and runs it with onMiss 'live'", async () => {
    const { runtime } = setup();
    await record(runtime, ['robots']);
    const failing = await runtime.experiment('curious-fail', swap(curious)).run();
    const member = failing.members[0]!;
    expect(member.comparison!.replay.status).toBe('failed');
    expect(member.comparison!.tools.misses).toEqual([{ checkpointId: 'search:3', tool: 'search', failed: true }]);
    const replay = await runtime.executions.get(member.replay!);
    expect(replay.error?.name).toBe('ToolRecordMissError');
    expect(replay.error?.message).toContain('"search"');
    expect(failing.aggregate).toMatchObject({ completed: 0, failed: 1, tools: { missed: 1, live: 0 } });

    const before = { ...live };
    const running = await runtime
      .experiment(
        'curious-live',
        swap(curious, { change: { models: { 'verbose-1': curious }, toolAnswers: { default: { mode: 'recorded', onMiss: 'live' } } } }),
      )
      .run();
    expect(live.tool - before.tool).toBe(1);
    expect(running.aggregate).toMatchObject({ completed: 1, tools: { recorded: 2, missed: 1, live: 1 } });
  });

  it('runs a replaced tool implementation instead of the tool', async () => {
    const { runtime } = setup();
    await record(runtime, ['robots']);
    const report = await runtime
      .experiment('new-search', { cohort: { flow: 'research' }, change: { tools: { search: (query) => `better results for "${String(query)}"` } } })
      .run();
    expect(report.aggregate.tools).toMatchObject({ replaced: 2, reused: 0 });
    expect(report.members[0]!.comparison!.firstDifference?.checkpointId).toBe('search:1');
  });

  it('scores members with evaluators and an LLM judge whose calls are checkpoints', async () => {
    const { runtime } = setup();
    await record(runtime, ['robots', 'agents']);
    let asked = 0;
    const verdict = (prompt: string) => {
      asked += 1;
      return `SCORE: ${prompt.includes('robots') ? '0.5' : '0.25'}\nIt drops the details.`;
    };
    const report = await runtime
      .experiment(
        'judged',
        swap(terse, {
          evaluators: {
            shorter: (original, replay) => (replay.output as { brief: string }).brief.length < (original.output as { brief: string }).brief.length,
            judge: llmJudge({ criteria: 'Keeps every story', ask: verdict }),
          },
          price: ({ usage }) => ((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)) / 1000,
        }),
      )
      .run();
    expect(report.aggregate.evaluations).toEqual({ shorter: { mean: 1, count: 2 }, judge: { mean: 0.375, count: 2 } });
    expect(report.members.map((member) => member.evaluations.judge)).toEqual([
      { score: 0.25, note: 'It drops the details.' },
      { score: 0.5, note: 'It drops the details.' },
    ]);
    expect(report.aggregate.cost!.delta).toBeLessThan(0);
    const judgeCalls = (await runtime.executions.checkpoints(report.id)).filter((record) => record.name === 'judge');
    expect(judgeCalls.map((record) => record.kind)).toEqual(['model', 'model']);
    // Reading the report again asks nobody.
    await runtime.experiments.get(report.id);
    expect(asked).toBe(2);
  });

  it('keeps a replay that ended when its member was cut before being recorded, and stops one left unfinished', async () => {
    const { runtime } = setup();
    const [robots, agents] = await record(runtime, ['robots', 'agents']);
    // Pricing fails once, after the first member's replay ended and before the member was recorded, as a crash there would.
    let failed = false;
    const report = await runtime
      .experiment(
        'cut',
        swap(terse, {
          concurrency: 1,
          price: ({ model }) => {
            if (model === 'terse-1' && !failed) {
              failed = true;
              throw new Error('price table unreachable');
            }
            return 1;
          },
        }),
      )
      .run();
    expect(report.status).toBe('failed');
    expect(report.members).toEqual([]);
    const store = await runtime.store();
    const replays = async () => (await store.listExecutions({ flow: 'research' })).filter((execution) => execution.metadata?.experiment === report.id);
    const [ended] = await replays();
    expect(ended).toMatchObject({ status: 'completed', metadata: { member: agents } });
    // The other member's replay was left running by a "crash" (a plain replay, given the member's metadata).
    const cutShort = (await runtime.executions.replay(robots!, { metadata: { experiment: report.id, member: robots } })).executionId;
    const cut = (await store.getExecution(cutShort))!;
    await store.updateExecution(cutShort, { status: 'running', endedAt: null }, { version: cut.version });

    const before = { ...live };
    const retried = await runtime.executions.retry(report.id);
    expect(retried.status).toBe('completed');
    expect(live.model - before.model).toBe(2); // Only the unfinished member ran again: its two model calls.
    const after = await runtime.experiments.get(report.id);
    expect(after.members.find((member) => member.original === agents)!.replay).toBe(ended!.id);
    expect((await runtime.executions.get(cutShort)).status).toBe('cancelled');
    expect((await replays()).map((execution) => execution.status).sort()).toEqual(['cancelled', 'completed', 'completed']);
  });

  it('refuses to resume a member replay on its own: its change lives in the experiment', async () => {
    const { runtime } = setup();
    await record(runtime, ['robots']);
    const report = await runtime.experiment('terse', swap(terse)).run();
    const store = await runtime.store();
    const replay = (await store.getExecution(report.members[0]!.replay!))!;
    await store.updateExecution(replay.id, { status: 'waiting' }, { version: replay.version });
    await expect(runtime.executions.resume(replay.id)).rejects.toSatisfy(
      (error) => ExecutionStateError.isInstance(error) && /experiment/.test((error as Error).message),
    );
  });
});
