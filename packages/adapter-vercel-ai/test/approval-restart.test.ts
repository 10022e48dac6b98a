import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, lowdbStore } from '@keel/core';
import { jsonLine, killAllChildren, startChild, startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lastToolCalled, lastToolOutput } from './support/news-script.js';

const fixture = new URL('./fixtures/agent-child.mjs', import.meta.url).pathname;
const folders: string[] = [];
let fake: FakeLLM | undefined;

/** Asks to delete the report; once the tool answered (or was refused), reports what it said. */
function deleteTurn(request: FakeRequest) {
  return lastToolCalled(request) === 'deleteFile'
    ? `Result: ${lastToolOutput(request)}`
    : { toolCalls: [{ name: 'deleteFile', arguments: { path: '/tmp/report.txt' } }] };
}

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

afterAll(async () => {
  await killAllChildren();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const approved = { approve: true, text: 'Result: deleted /tmp/report.txt', runs: 1 } as const;
const rejected = { approve: false, reason: 'Legal hold: keep it.', text: 'Result: Legal hold: keep it.', runs: 0 } as const;

describe('a tool approval survives a process restart', () => {
  // Each decision once, each SDK once (the in-process suites cover every combination).
  for (const [sdk, decision] of [
    ['ai 7', approved],
    ['ai 6', rejected],
  ] as const) {
    it(`${sdk}, ${decision.approve ? 'approved: the tool runs exactly once' : 'rejected: the tool never runs, the model is told'}, in the process that resumes`, async () => {
      fake = await startFakeLLM({ script: Array.from({ length: 4 }, () => deleteTurn) });
      const folder = mkdtempSync(join(tmpdir(), 'keel-vercel-approval-'));
      folders.push(folder);
      const log = join(folder, 'tools.log');
      writeFileSync(log, '');
      const config = JSON.stringify({ store: join(folder, '.keel'), log, url: fake.url, sdk, scenario: 'approval', call: 'generate' });

      // Process 1 runs until the approval and exits.
      const first = await startChild(fixture, [config]).exited;
      expect(first.code, first.stderr).toBe(0);
      const waiting = jsonLine<{ executionId: string; waits: string[] }>(first.stdout, 'waiting');
      expect(waiting.waits).toEqual(['approve_deleteFile']);

      // This process (no agent code here) answers, as the CLI or the HTTP API would.
      const operator = createRuntime({ store: lowdbStore(join(folder, '.keel')) });
      const answer = decision.approve ? { approve: true } : { approve: false, reason: rejected.reason };
      await operator.executions.input(waiting.executionId, 'approve_deleteFile', answer, { resolvedBy: 'test' });
      await operator.close();

      // Process 2 makes the same call: the run continues from the wait.
      const second = await startChild(fixture, [config]).exited;
      expect(second.code, second.stderr).toBe(0);
      expect(jsonLine<{ text: string; steps: number }>(second.stdout, 'result')).toEqual({ text: decision.text, steps: 2 });
      expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(decision.runs);
      // The first model call was made once, before the restart; the second after it.
      expect(fake.requests).toHaveLength(2);
      expect(lastToolOutput(fake.requests[1]!)).toBe(decision.approve ? 'deleted /tmp/report.txt' : rejected.reason);

      const reader = createRuntime({ store: lowdbStore(join(folder, '.keel')) });
      expect((await reader.executions.get(waiting.executionId)).status).toBe('completed');
      const wait = (await reader.executions.waits(waiting.executionId))[0]!;
      expect(wait).toMatchObject({ status: 'resolved', resolvedBy: 'test', input: answer });
      await reader.close();
    });
  }
});
