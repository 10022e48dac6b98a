import { currentScope } from './scope.js';
import type { CheckpointContext, CheckpointOptions } from './types.js';

/** The standalone context a checkpoint function gets when it is called outside any flow. */
function standaloneContext(name: string): CheckpointContext {
  return {
    executionId: '',
    checkpointId: name,
    attempt: 1,
    idempotencyKey: '',
    signal: new AbortController().signal,
    setMetadata: () => {},
  };
}

/**
 * Runs `fn` as a checkpoint of the current flow. The first time, `fn` runs and its result is stored;
 * on resume, retry or replay the stored result is returned and `fn` does not run. Outside a flow,
 * `fn` simply runs (handy in unit tests of the function).
 *
 * @example
 * ```ts
 * const hits = await checkpoint('search_web', () => searchWeb(topic), { retries: 2 });
 * ```
 */
export function checkpoint<T>(name: string, fn: (context: CheckpointContext) => T | Promise<T>, options: CheckpointOptions = {}): Promise<Awaited<T>> {
  const scope = currentScope();
  if (!scope) return Promise.resolve().then(() => fn(standaloneContext(name))) as Promise<Awaited<T>>;
  return scope.session.runCheckpoint(scope, name, fn, options) as Promise<Awaited<T>>;
}

/**
 * Wraps a function so that every call of it is a checkpoint named `name`.
 *
 * @example
 * ```ts
 * const search = checkpoint.wrap('search_web', searchWeb, { retries: 2 });
 * const hits = await search(topic);
 * ```
 */
checkpoint.wrap = function wrap<Args extends unknown[], T>(
  name: string,
  fn: (...args: Args) => T | Promise<T>,
  options: CheckpointOptions = {},
): (...args: Args) => Promise<Awaited<T>> {
  return (...args: Args) => checkpoint(name, () => fn(...args), options);
};
