import type { Store } from '../store/store.js';

/** The errors that calls of a store threw, as marked by {@link markingFailures}. */
const failures = new WeakSet<object>();

/**
 * `store`, with every error its calls throw marked as a store failure (see {@link isStoreFailure}).
 * A session works through it, so that it can tell "the store could not be reached (or read, or
 * written)" from "the flow failed": the first must not be recorded as the second once the store is
 * back, or a network blip would fail an execution that a worker can simply continue.
 */
export function markingFailures(store: Store): Store {
  const mark = (error: unknown): never => {
    if (typeof error === 'object' && error !== null) failures.add(error);
    throw error;
  };
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = (value as (...args: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch(mark) : result;
        } catch (error) {
          return mark(error);
        }
      };
    },
  });
}

/** Whether `error` was thrown by a call of a store that {@link markingFailures} wraps. */
export function isStoreFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && failures.has(error);
}
