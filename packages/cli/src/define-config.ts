import type { CapturePolicy, Store } from '@keel/core';

/**
 * What `keel.config.ts` exports (as its default export): where executions are stored and which
 * modules define the flows, so the CLI and workers can run and resume executions without the
 * process that started them.
 */
export interface KeelConfig {
  /**
   * Where executions are kept: a folder for the default lowdb files (`./.keel`), `sqlite:./keel.db`,
   * `postgres://user@host/db`, or a {@link Store} instance. Relative paths are relative to the config
   * file. `--store` and `KEEL_STORE` override it. Default `./.keel`.
   */
  readonly store?: string | Store;
  /**
   * The modules that define flows with `flow(name, fn)` from `@keel/core`: paths or globs (`*`, `**`)
   * relative to the config file, e.g. `['./flows/*.ts']`. TypeScript works without a build step.
   */
  readonly flows: string | readonly string[];
  /** A version string of your code kept on each execution (a git sha, a release). */
  readonly codeVersion?: string;
  /** How long a lease lasts without renewal, in ms (default 30 s): how soon another machine may take over a run whose process vanished. */
  readonly leaseTtlMs?: number;
  /** What is recorded beyond what replay needs (see `CapturePolicy` in `@keel/core`). */
  readonly capture?: CapturePolicy;
}

/**
 * Declares the configuration in `keel.config.ts`; it returns its argument and exists for the types.
 *
 * @example
 * ```ts
 * import { defineConfig } from '@keel/cli';
 *
 * export default defineConfig({ store: './.keel', flows: ['./flows/*.ts'] });
 * ```
 */
export function defineConfig(config: KeelConfig): KeelConfig {
  return config;
}
