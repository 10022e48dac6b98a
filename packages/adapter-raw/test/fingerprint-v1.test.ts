import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, lowdbStore, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { afterEach, expect, test } from 'vitest';
import { defineFlow } from './fixtures/fingerprint-v1/flow.mjs';

// fixtures/fingerprint-v1/store was recorded (record.mjs) with the request fingerprints from before
// the versioned `fp2:` scheme. An execution recorded then must still resume and replay today.
const fixtureStore = fileURLToPath(new URL('./fixtures/fingerprint-v1/store', import.meta.url));
const executionId = 'ex_fingerprintv1raw';

let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;
let folder: string | undefined;

afterEach(async () => {
  await runtime?.close();
  await fake?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
  runtime = fake = folder = undefined;
});

test('an execution recorded with the older fingerprints resumes and replays without a divergence or a model request', async () => {
  folder = mkdtempSync(join(tmpdir(), 'keel-fingerprint-v1-'));
  cpSync(fixtureStore, folder, { recursive: true });
  fake = await startFakeLLM({ script: [] });
  runtime = createRuntime({ store: lowdbStore(folder) });
  const flow = defineFlow(runtime, fake.origin);

  const recorded = await runtime.executions.checkpoints(executionId, { payloads: false });
  const fingerprints = recorded.flatMap((record) => (record.fingerprint ? [record.fingerprint] : []));
  expect(recorded.filter((record) => record.kind === 'model').length).toBeGreaterThan(0);
  expect(fingerprints.length).toBeGreaterThan(0);
  expect(fingerprints.filter((fingerprint) => fingerprint.startsWith('fp2:'))).toEqual([]);

  await runtime.executions.input(executionId, 'publish', { publish: true });
  const resumed = await flow.resume(executionId);
  expect(resumed).toMatchObject({ status: 'completed', output: { headlines: 'headlines about durable agents', publish: true } });

  const replayed = await flow.replay(executionId, { hermetic: true });
  expect(replayed).toMatchObject({ status: 'completed', output: resumed.output });
  expect(fake.requests).toHaveLength(0);
});
