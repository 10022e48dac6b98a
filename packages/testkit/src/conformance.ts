/**
 * @module The adapter conformance suite: the crash, streaming, approval and divergence proofs every
 * Keel adapter passes, and the proof that an execution recorded by an earlier release still resumes and
 * replays. Needs vitest (an optional peer dependency of `@keel/testkit`); the rest of the kit does not,
 * so it lives at its own entry.
 */
export { runAdapterConformance } from './run-adapter-conformance.js';
export type { AdapterConformanceOptions, AdapterConformanceProof } from './run-adapter-conformance.js';
export { testRecordedExecution } from './test-recorded-execution.js';
export type { RecordedCheckpoint, RecordedExecutionOptions, RecordedExecutionRuntime, RecordedFlow, RecordedRunResult } from './test-recorded-execution.js';
