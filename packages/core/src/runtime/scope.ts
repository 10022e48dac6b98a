import { AsyncLocalStorage } from 'node:async_hooks';
import type { Call } from './call.js';
import { registerCoreCopy } from './core-copies.js';
import type { Session } from './session.js';

/**
 * Where code runs inside an execution: at flow scope (`checkpointId: null`) or inside a checkpoint.
 * Each scope numbers the calls started in it, which is what makes checkpoint ids deterministic:
 * the n-th call named `search` in a scope is `search:n`, whatever finishes first.
 */
export class Scope {
  /** Calls started in this scope so far: their position among their siblings. */
  position = 0;
  readonly #counters = new Map<string, number>();
  readonly #keyCounts = new Map<string, number>();

  constructor(
    readonly session: Session,
    /** The enclosing checkpoint's id, or `null` at flow scope. */
    readonly checkpointId: string | null,
    /** The running call this scope belongs to, or `null` at flow scope. */
    readonly call: Call | null = null,
  ) {}

  /**
   * The id of the next call named `name` in this scope. A `key` replaces the counter (`name:key`);
   * a key seen before in this scope gets an occurrence suffix (`name:key~2`), because providers
   * reuse tool call ids across turns and two calls must never share a record.
   */
  nextId(name: string, key?: string): string {
    let segment: string;
    if (key !== undefined) {
      const base = `${name}:${key}`;
      const seen = (this.#keyCounts.get(base) ?? 0) + 1;
      this.#keyCounts.set(base, seen);
      segment = seen === 1 ? base : `${base}~${seen}`;
    } else {
      const count = (this.#counters.get(name) ?? 0) + 1;
      this.#counters.set(name, count);
      segment = `${name}:${count}`;
    }
    return this.checkpointId === null ? segment : `${this.checkpointId}/${segment}`;
  }
}

const storage = new AsyncLocalStorage<Scope>();
const copies = registerCoreCopy(() => storage.getStore() !== undefined);

/**
 * The scope of the code running now, or `undefined` outside any flow. Throws `CoreDuplicateError`
 * rather than answering `undefined` when a flow of another copy of `@keel/core` is running here.
 */
export function currentScope(): Scope | undefined {
  const scope = storage.getStore();
  if (scope === undefined) copies.check();
  return scope;
}

/** Runs `fn` with `scope` as the current scope. */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  return storage.run(scope, fn);
}
