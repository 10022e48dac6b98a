import type { Runtime } from '@keel/core';
import type { RunOperations } from './run-operations.js';

/** What the API's routes share. */
export interface ApiContext {
  readonly runtime: Runtime;
  readonly operations: RunOperations;
  readonly pollIntervalMs: number;
  /** Aborted when the server closes. */
  readonly shutdown: AbortSignal;
}
