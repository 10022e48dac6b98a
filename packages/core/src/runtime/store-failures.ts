import type { Store } from '../store/store.js';

/**
 * `store`, calling `onFailure` with every error one of its calls throws (the error is thrown on as it
 * is). A session works through it so that it learns at once that its store failed — unreachable past
 * its retries, refusing a fenced write — whichever part of the session made the call.
 */
export function watchingFailures(store: Store, onFailure: (error: unknown) => void): Store {
  const failed = (error: unknown): never => {
    onFailure(error);
    throw error;
  };
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = (value as (...args: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch(failed) : result;
        } catch (error) {
          return failed(error);
        }
      };
    },
  });
}
