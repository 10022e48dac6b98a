/**
 * @module Test helpers for Keel, for store authors: the conformance suite that every `Store`
 * backend runs. Needs vitest (an optional peer dependency of `@keel/core`).
 */
export { runStoreConformance } from './testing/store-conformance.js';
export type { StoreConformanceOptions } from './testing/store-conformance.js';
