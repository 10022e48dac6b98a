/**
 * An unbounded async queue of parts: one producer, one consumer. A durable stream pushes what the
 * live call yields while its reader iterates; adapters use it to turn a callback-driven run into a
 * stream (LangGraph's `stream()`).
 */
export class PartChannel<Part> implements AsyncIterable<Part> {
  /** How many parts were pushed so far. */
  pushed = 0;
  readonly #parts: Part[] = [];
  #ended = false;
  #error: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  /** Adds a part at the end. */
  push(part: Part): void {
    this.pushed++;
    this.#parts.push(part);
    this.#wake?.();
  }

  /** Ends the stream once the queued parts are read. */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** Ends the stream with `error`, thrown to the reader once the queued parts are read. */
  fail(error: unknown): void {
    this.#error = { error };
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Part> {
    for (;;) {
      if (this.#parts.length) {
        yield this.#parts.shift()!;
        continue;
      }
      if (this.#error) throw this.#error.error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
