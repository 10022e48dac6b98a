/** An unbounded async queue of parts: one producer, one consumer. */
export class PartChannel<Part> implements AsyncIterable<Part> {
  pushed = 0;
  readonly #parts: Part[] = [];
  #ended = false;
  #error: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  push(part: Part): void {
    this.pushed++;
    this.#parts.push(part);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

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
