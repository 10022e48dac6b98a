/**
 * @module The adapter conformance suite: the crash, streaming, approval and divergence proofs every
 * Keel adapter passes. Needs vitest (an optional peer dependency of `@keel/testkit`); the rest of the
 * kit does not, so it lives at its own entry.
 */
export { runAdapterConformance } from './run-adapter-conformance.js';
export type { AdapterConformanceOptions, AdapterConformanceProof } from './run-adapter-conformance.js';
