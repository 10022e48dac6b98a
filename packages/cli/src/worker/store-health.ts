/** What a worker knows about its store: whether the last call reached it, since when, and why not. */
export interface StoreHealthState {
  readonly store: 'reachable' | 'unreachable';
  /** When the store entered this state (ms since the epoch). */
  readonly since: number;
  /** The message of the error that made it unreachable; `null` while it is reachable. */
  readonly lastError: string | null;
}

/**
 * The worker's view of its store, for `/healthz` and for its own messages. A worker starts out
 * assuming the store is reachable (it opened it); each failed call that means the store could not be
 * reached marks it unreachable, and the next call that gets an answer marks it reachable again.
 */
export class StoreHealth {
  #state: StoreHealthState;
  #failures = 0;

  constructor(now = Date.now()) {
    this.#state = { store: 'reachable', since: now, lastError: null };
  }

  /** The current state, as `/healthz` shows it. */
  get state(): StoreHealthState {
    return this.#state;
  }

  /** How many calls in a row failed to reach the store (0 while it is reachable). */
  get failures(): number {
    return this.#failures;
  }

  /** Records a call that got an answer. Returns the state it left when that was an outage, else `undefined`. */
  reached(now = Date.now()): StoreHealthState | undefined {
    this.#failures = 0;
    if (this.#state.store === 'reachable') return undefined;
    const outage = this.#state;
    this.#state = { store: 'reachable', since: now, lastError: null };
    return outage;
  }

  /** Records a call that could not reach the store. Returns `true` when the store was reachable until now. */
  unreachable(error: unknown, now = Date.now()): boolean {
    this.#failures++;
    const lastError = error instanceof Error ? error.message : String(error);
    const changed = this.#state.store === 'reachable';
    this.#state = { store: 'unreachable', since: changed ? now : this.#state.since, lastError };
    return changed;
  }
}
