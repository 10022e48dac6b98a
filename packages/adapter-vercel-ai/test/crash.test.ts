import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLine, killAllChildren, startChild, startFakeLLM, type FakeLLM, type FakeRequest, type FakeTurn } from '@keel/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newsStep, newsTurn } from './support/news-script.js';

const fixture = new URL('./fixtures/agent-child.mjs', import.meta.url).pathname;
const folders: string[] = [];
let fake: FakeLLM | undefined;

function workspace() {
  const folder = mkdtempSync(join(tmpdir(), 'keel-vercel-crash-'));
  folders.push(folder);
  const log = join(folder, 'tools.log');
  writeFileSync(log, '');
  return { store: join(folder, '.keel'), log };
}

/** Tool runs from the log: `<tool> <toolCallId> <arguments>` → how often. */
function toolRuns(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** What a run did, without call ids (live calls after a resume get new ones from the server). */
function toolEffects(log: string): string[] {
  return [
    ...new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/ call_\d+ /, ' ')),
    ),
  ].sort();
}

function requestsPerStep(requests: readonly FakeRequest[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const request of requests) counts.set(newsStep(request), (counts.get(newsStep(request)) ?? 0) + 1);
  return counts;
}

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

afterAll(async () => {
  await killAllChildren();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('a durable ai 7 agent run killed with SIGKILL continues in a new process', () => {
  let reference: { text: string; effects: string[] } | undefined;

  it('runs uninterrupted for the reference result: 4 model calls, 4 tool calls', async () => {
    fake = await startFakeLLM({ script: Array.from({ length: 8 }, () => newsTurn) });
    const { store, log } = workspace();
    const run = startChild(fixture, [JSON.stringify({ store, log, url: fake.url, sdk: 'ai 7', scenario: 'news', call: 'generate' })]);
    const { code, stdout, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    const result = jsonLine<{ text: string; steps: number }>(stdout, 'result');
    expect(result).toEqual({ text: 'The most important AI news: https://news.example/2 leads', steps: 4 });
    expect(fake.requests).toHaveLength(4);
    expect([...toolRuns(log).values()]).toEqual([1, 1, 1, 1]);
    reference = { text: result.text, effects: toolEffects(log) };
  });

  // 8 calls complete in a run: model, searchNews, model, readPage ×2, model, rankStories, model.
  for (const killAfter of [1, 4, 7]) {
    it(`killed after call ${killAfter} of 8: finished calls are not repeated, and the result is the uninterrupted one`, async () => {
      fake = await startFakeLLM({ script: Array.from({ length: 8 }, () => newsTurn) });
      const { store, log } = workspace();
      const config = { store, log, url: fake.url, sdk: 'ai 7', scenario: 'news', call: 'generate' };

      const first = startChild(fixture, [JSON.stringify({ ...config, freezeAfter: killAfter })]);
      await first.waitForLine(/^frozen$/);
      first.process.kill('SIGKILL');
      const killed = await first.exited;
      expect(killed.signal).toBe('SIGKILL');
      const recorded = killed.stdout
        .split('\n')
        .filter((line) => line.startsWith('checkpoint '))
        .map((line) => line.split(' ')[2]!);
      expect(recorded).toHaveLength(killAfter);
      const runsBefore = toolRuns(log);
      const requestsBefore = fake.requests.length;

      const second = startChild(fixture, [JSON.stringify(config)]);
      const { code, stdout, stderr } = await second.exited;
      expect(code, stderr).toBe(0);
      expect(jsonLine<{ text: string }>(stdout, 'result').text).toBe(reference!.text);
      expect(toolEffects(log)).toEqual(reference!.effects);

      // Model calls: recording stopped before the next call could start, so each reached the server once.
      expect(Object.fromEntries(requestsPerStep(fake.requests))).toEqual({ 1: 1, 2: 1, 3: 1, 4: 1 });
      expect(requestsBefore).toBe(recorded.filter((id) => /model:\d+$/.test(id)).length);
      // Tool calls: a recorded call ran once in all; nothing ran more than twice.
      const runsAfter = toolRuns(log);
      for (const id of recorded.filter((candidate) => !/model:\d+$/.test(candidate))) {
        const callId = /:(call_\d+)@/.exec(id)![1]!;
        const line = [...runsAfter.keys()].find((candidate) => candidate.split(' ')[1] === callId)!;
        expect(runsAfter.get(line), `${id} ran again`).toBe(1);
        expect(runsBefore.get(line)).toBe(1);
      }
      for (const [line, count] of runsAfter) expect(count, line).toBeLessThanOrEqual(2);
    });
  }

  it('a stream cut by a crash is run again in the new process, never half-replayed', async () => {
    let cut = false;
    const cutFinalAnswer = (request: FakeRequest): FakeTurn => {
      const turn = newsTurn(request);
      if (newsStep(request) !== 4 || cut) return turn;
      cut = true;
      return { ...turn, fault: { hang: true, afterEvents: 4 } };
    };
    fake = await startFakeLLM({ script: Array.from({ length: 8 }, () => cutFinalAnswer) });
    const { store, log } = workspace();
    const config = { store, log, url: fake.url, sdk: 'ai 7', scenario: 'news', call: 'stream' };

    const first = startChild(fixture, [JSON.stringify(config)]);
    await first.waitForLine(/^delta "most /);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = startChild(fixture, [JSON.stringify(config)]);
    const { code, stdout, stderr } = await second.exited;
    expect(code, stderr).toBe(0);
    expect(jsonLine<{ text: string; steps: number }>(stdout, 'result')).toEqual({ text: reference!.text, steps: 4 });
    // The resumed stream gave the whole answer once: replayed steps, then the final call run live again.
    const deltas = stdout
      .split('\n')
      .filter((line) => line.startsWith('delta '))
      .map((line) => JSON.parse(line.slice(6)) as string);
    expect(deltas.join('')).toBe(`Reading both.${reference!.text}`);
    expect(Object.fromEntries(requestsPerStep(fake.requests))).toEqual({ 1: 1, 2: 1, 3: 1, 4: 2 });
    expect([...toolRuns(log).values()]).toEqual([1, 1, 1, 1]);
  });
});
