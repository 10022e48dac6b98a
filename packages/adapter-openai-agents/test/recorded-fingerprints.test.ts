import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, DivergenceError, lowdbStore, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineFlow, script } from './fixtures/fingerprint-v1/flow.mjs';

// Each store fixture was recorded once (its record.mjs) with the request fingerprints of an earlier
// release, and committed. An execution recorded then must still resume and replay today.
const fixtures = [
  {
    // Before the versioned `fp2:` scheme: not compared with today's fingerprints at all.
    name: 'fingerprint-v1',
    executionId: 'ex_fingerprintv1openai',
    check: (fingerprints: string[]) => expect(fingerprints.filter((fingerprint) => fingerprint.startsWith('fp2:'))).toEqual([]),
  },
  {
    // `fp2:` without the model's name: recognized through the adapter's former fingerprint.
    name: 'fingerprint-fp2',
    executionId: 'ex_fingerprintfp2openai',
    check: (fingerprints: string[]) => expect(fingerprints.every((fingerprint) => fingerprint.startsWith('fp2:'))).toBe(true),
  },
];

let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;
let folder: string | undefined;

afterEach(async () => {
  await runtime?.close();
  await fake?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
  runtime = fake = folder = undefined;
});

async function openFixture(name: string) {
  folder = mkdtempSync(join(tmpdir(), `keel-${name}-`));
  cpSync(fileURLToPath(new URL(`./fixtures/${name}/store`, import.meta.url)), folder, { recursive: true });
  fake = await startFakeLLM({ script: [] });
  runtime = createRuntime({ store: lowdbStore(folder) });
  return { runtime, fake };
}

describe.each(fixtures)('an execution recorded with the $name fingerprints', ({ name, executionId, check }) => {
  test('resumes and replays without a divergence or a model request', async () => {
    const { runtime, fake } = await openFixture(name);
    const flow = defineFlow(runtime, fake.url);

    const recorded = await runtime.executions.checkpoints(executionId, { payloads: false });
    const fingerprints = recorded.flatMap((record) => (record.fingerprint ? [record.fingerprint] : []));
    expect(recorded.filter((record) => record.kind === 'model').length).toBeGreaterThan(0);
    expect(fingerprints.length).toBeGreaterThan(0);
    check(fingerprints);

    await runtime.executions.input(executionId, 'publish', { publish: true });
    const resumed = await flow.resume(executionId);
    expect(resumed).toMatchObject({ status: 'completed', output: { text: 'Durable agents are news.', publish: true } });

    const replayed = await flow.replay(executionId, { hermetic: true });
    expect(replayed).toMatchObject({ status: 'completed', output: resumed.output });
    expect(fake.requests).toHaveLength(0);
  });
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
