import { createRuntime, lowdbStore } from '@keel/core';
import { testRecordedExecution } from '@keel/testkit/conformance';
import { defineFlow } from './fixtures/fingerprint-v1/flow.mjs';

// fixtures/fingerprint-v1/store was recorded (record.mjs) with the request fingerprints from before
// the versioned `fp2:` scheme. An execution recorded then must still resume and replay today.
testRecordedExecution({
  scheme: 'v1',
  store: new URL('./fixtures/fingerprint-v1/store', import.meta.url),
  executionId: 'ex_fingerprintv1raw',
  openRuntime: (folder) => createRuntime({ store: lowdbStore(folder) }),
  defineFlow: (runtime, fake) => defineFlow(runtime, fake.origin),
  wait: { name: 'publish', input: { publish: true } },
  output: { headlines: 'headlines about durable agents', publish: true },
});
