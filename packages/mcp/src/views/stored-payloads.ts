import { errorJsonView, PayloadReader, toJsonView, type JsonValue } from '@keel/core';
import type { CheckpointRecord, ErrorRecord, PayloadRef, Store } from '@keel/core';
import { shortStacks } from './json-view.js';

/**
 * Reads stored values one at a time. Listing an execution's checkpoints with their payloads decodes
 * every prompt of the run; an answer about one checkpoint needs only its own.
 */
export class StoredPayloads {
  readonly #reader: PayloadReader;
  readonly #checkpoints: readonly CheckpointRecord[];
  #prefetched: Promise<void> | undefined;

  /** @param checkpoints - The execution's checkpoints: a model request is a chain of its earlier ones. */
  constructor(store: Store, checkpoints: readonly CheckpointRecord[] = []) {
    this.#reader = new PayloadReader(store);
    this.#checkpoints = checkpoints;
  }

  /**
   * The decoded value a record refers to (a model request rebuilt from its chain).
   * @throws {BlobMissingError} naming the blob and the store when a blob it needs is missing.
   */
  async value(ref: PayloadRef): Promise<unknown> {
    if (this.#checkpoints.some((record) => record.kind === 'model' && record.input?.hash === ref.hash)) {
      // The first request read fetches every request of the execution at once: the links of its chain.
      this.#prefetched ??= this.#reader.prefetchRequests(this.#checkpoints);
      await this.#prefetched;
    }
    return this.#reader.load(ref);
  }

  /** A value as JSON for an answer. */
  async view(ref: PayloadRef): Promise<JsonValue> {
    return toJsonView(await this.value(ref));
  }

  /**
   * A stored error as JSON: the whole error (own fields, cause) when it was stored, else its name,
   * message, code and stack.
   * @param stackLines - Keep at most this many lines of stacks.
   */
  async error(record: ErrorRecord, stackLines?: number): Promise<{ [key: string]: JsonValue }> {
    if (record.payload) {
      try {
        const decoded = await this.value(record.payload);
        if (decoded instanceof Error) return errorJsonView(decoded, shortStacks(stackLines));
      } catch {
        // The text form below still says what happened.
      }
    }
    const error = new Error(record.message);
    error.name = record.name;
    if (record.code !== undefined) Object.assign(error, { code: record.code });
    error.stack = record.stack ?? '';
    return errorJsonView(error, shortStacks(stackLines));
  }
}
