import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, DivergenceError, lowdbStore, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { testRecordedExecution } from '@keel/testkit/conformance';
import { afterEach, expect, test } from 'vitest';
import { defineFlow, script } from './fixtures/fingerprint-v1/flow.mjs';

// Each store fixture was recorded once (its record.mjs) with the request fingerprints of an earlier
// release, and committed. An execution recorded then must still resume and replay today.
const fingerprintFixture = {
  openRuntime: (folder: string) => createRuntime({ store: lowdbStore(folder) }),
  defineFlow: (runtime: Runtime, fake: FakeLLM) => defineFlow(runtime, fake.url),
  wait: { name: 'publish', input: { publish: true } },
  output: { text: 'Durable agents are news.', publish: true },
};

// Before the versioned `fp2:` scheme: not compared with today's fingerprints at all.
testRecordedExecution({
  ...fingerprintFixture,
  scheme: 'v1',
  store: new URL('./fixtures/fingerprint-v1/store', import.meta.url),
  executionId: 'ex_fingerprintv1openai',
});

// `fp2:` without the model's name: recognized through the adapter's former fingerprint.
testRecordedExecution({
  ...fingerprintFixture,
  scheme: 'fp2',
  store: new URL('./fixtures/fingerprint-fp2/store', import.meta.url),
  executionId: 'ex_fingerprintfp2openai',
});

let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;
let folder: string | undefined;

afterEach(async () => {
  await runtime?.close();
  await fake?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
  runtime = fake = folder = undefined;
});

test("a model request's fingerprint covers the model's name: a replay with another model meets a divergence", async () => {
  folder = mkdtempSync(join(tmpdir(), 'keel-fingerprint-model-'));
  fake = await startFakeLLM({ script });
  const recording = createRuntime({ store: lowdbStore(folder) });
  const recorded = defineFlow(recording, fake.url, 'gpt-4o-mini');
  const waiting = await recorded.run('durable agents');
  await recording.executions.input(waiting.executionId, 'publish', { publish: true });
  expect((await recorded.resume(waiting.executionId)).status).toBe('completed');
  await recording.close();
  const requestsRecorded = fake.requests.length;

  const replayWith = async (model: string) => {
    runtime = createRuntime({ store: lowdbStore(folder!) });
    const replayed = await defineFlow(runtime, fake!.url, model).replay(waiting.executionId, { hermetic: true });
    await runtime.close();
    runtime = undefined;
    return replayed;
  };
  expect((await replayWith('gpt-4o-mini')).status).toBe('completed');
  const swapped = await replayWith('gpt-4o');
  expect(swapped.status).toBe('failed');
  expect(DivergenceError.isInstance(swapped.error)).toBe(true);
  expect(fake.requests).toHaveLength(requestsRecorded);
});
