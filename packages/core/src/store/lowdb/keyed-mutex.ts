/**
 * Runs actions one at a time per key, in call order, inside this process. Used so that two writes of
 * one document from the same process queue here instead of polling the cross-process lock file.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `action` once every action queued before it under `key` has settled. */
  run<T>(key: string, action: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(action, action);
    // The tail never rejects, so a failed action does not fail the ones queued after it.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      // Forget the key once nothing is queued behind this action, so the map does not grow forever.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Settles when every action queued so far has settled. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
  }
}
