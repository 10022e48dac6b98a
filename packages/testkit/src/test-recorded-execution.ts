import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

import { startFakeLLM, type FakeLLM } from './start-fake-llm.js';

/** How a checkpoint record reports its kind and request fingerprint (the part of Keel's record read here). */
export interface RecordedCheckpoint {
  /** `model`, `tool`, `step`, … */
  readonly kind: string;
  /** The hash of the normalized request, for adapter calls. */
  readonly fingerprint?: string;
}

/** The part of a Keel `Runtime` the proof uses (structural: the kit does not depend on `@keel/core`). */
export interface RecordedExecutionRuntime {
  /** Reads and answers the recorded execution. */
  readonly executions: {
    /** The execution's checkpoint records, without their payloads. */
    checkpoints(executionId: string, options: { payloads: false }): Promise<readonly RecordedCheckpoint[]>;
    /** Answers a pending wait of the execution. */
    input(executionId: string, wait: string, value: unknown): Promise<unknown>;
  };
  /** Closes the runtime and its store. */
  close(): Promise<void>;
}

/** What a flow's `resume` and `replay` resolve with (the part the proof checks). */
export interface RecordedRunResult {
  /** `completed` once the execution ran to its end. */
  readonly status: string;
  /** The flow's return value. */
  readonly output?: unknown;
}

/** The recorded flow, as defined on a runtime by the adapter's fixture. */
export interface RecordedFlow {
  /** Continues the execution from its stored checkpoints. */
  resume(executionId: string): Promise<RecordedRunResult>;
  /** Replays the execution from its stored checkpoints; `hermetic` forbids any live call. */
  replay(executionId: string, options: { hermetic: true }): Promise<RecordedRunResult>;
}

/** Options of {@link testRecordedExecution}. */
export interface RecordedExecutionOptions<Runtime extends RecordedExecutionRuntime> {
  /**
   * The fingerprint scheme the store was recorded with: `v1`, from before the versioned `fp2:` scheme
   * (no fingerprint starts with `fp2:`), or `fp2` (every fingerprint does). Names the test too.
   */
  readonly scheme: 'v1' | 'fp2';
  /** The committed store folder (`new URL('./fixtures/fingerprint-v1/store', import.meta.url)`); a copy is opened. */
  readonly store: URL;
  /** The recorded execution, waiting for its `wait` input. */
  readonly executionId: string;
  /** Opens a runtime on the copied store folder (`createRuntime({ store: lowdbStore(folder) })`). */
  readonly openRuntime: (folder: string) => Runtime;
  /** Defines the recorded flow on the runtime, its model at the fake LLM server (which must not be called). */
  readonly defineFlow: (runtime: Runtime, fake: FakeLLM) => RecordedFlow;
  /** The wait the execution is waiting on, and the input that answers it. */
  readonly wait: { readonly name: string; readonly input: unknown };
  /** What the resumed run returns (matched with `toMatchObject`). */
  readonly output: unknown;
}

/**
 * The recorded-fingerprint proof, as one vitest test: an execution an earlier release recorded (a store
 * committed as a fixture) still resumes and replays today, without a divergence and without a model
 * request. Checks that the store holds model records with fingerprints of the given scheme, answers the
 * execution's wait, resumes it to completion, replays it hermetically to the same output, and that the
 * fake LLM server saw no request. Call it at the top level of a test file (or in a `describe`).
 *
 * @example
 * testRecordedExecution({
 *   scheme: 'v1',
 *   store: new URL('./fixtures/fingerprint-v1/store', import.meta.url),
 *   executionId: 'ex_fingerprintv1raw',
 *   openRuntime: (folder) => createRuntime({ store: lowdbStore(folder) }),
 *   defineFlow: (runtime, fake) => defineFlow(runtime, fake.origin),
 *   wait: { name: 'publish', input: { publish: true } },
 *   output: { headlines: 'headlines about durable agents', publish: true },
 * });
 */
export function testRecordedExecution<Runtime extends RecordedExecutionRuntime>(options: RecordedExecutionOptions<Runtime>): void {
  const { scheme, executionId } = options;
  test(`an execution recorded with the ${scheme} fingerprints resumes and replays without a divergence or a model request`, async () => {
    const folder = mkdtempSync(join(tmpdir(), `keel-fingerprint-${scheme}-`));
    let fake: FakeLLM | undefined;
    let runtime: Runtime | undefined;
    try {
      cpSync(fileURLToPath(options.store), folder, { recursive: true });
      fake = await startFakeLLM({ script: [] });
      runtime = options.openRuntime(folder);
      const flow = options.defineFlow(runtime, fake);

      const recorded = await runtime.executions.checkpoints(executionId, { payloads: false });
      const fingerprints = recorded.flatMap((record) => (record.fingerprint ? [record.fingerprint] : []));
      expect(recorded.filter((record) => record.kind === 'model').length).toBeGreaterThan(0);
      expect(fingerprints.length).toBeGreaterThan(0);
      if (scheme === 'v1') expect(fingerprints.filter((fingerprint) => fingerprint.startsWith('fp2:'))).toEqual([]);
      else expect(fingerprints.every((fingerprint) => fingerprint.startsWith('fp2:'))).toBe(true);

      await runtime.executions.input(executionId, options.wait.name, options.wait.input);
      const resumed = await flow.resume(executionId);
      expect(resumed).toMatchObject({ status: 'completed', output: options.output });

      const replayed = await flow.replay(executionId, { hermetic: true });
      expect(replayed).toMatchObject({ status: 'completed', output: resumed.output });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await runtime?.close();
      await fake?.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
}
