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
  /**
   * The version of your code (a git commit, a release, a build id), kept on each execution it starts;
   * only a worker of that version (or one declaring it in `compatibleWith`) continues an execution.
   * `KEEL_CODE_VERSION` overrides it, so an operator can set a deployment's version without editing
   * code. Default: per flow, a digest of the flow function's source (`src:…`).
   */
  readonly codeVersion?: string;
  /**
   * Older code versions whose executions this code can safely continue (changed steps guarded with
   * `patched()`). Added to `KEEL_COMPATIBLE_WITH` (comma-separated). `'*'` takes any: development only.
   */
  readonly compatibleWith?: readonly string[];
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
