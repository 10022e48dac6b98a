/**
 * @module The `keel` command line: run, inspect, give input to, resume, replay and recover durable
 * executions. The package's code export is what `keel.config.ts` uses.
 *
 * ```ts
 * import { defineConfig } from '@keel/cli';
 * ```
 */
export { defineConfig, type KeelConfig } from './define-config.js';
