import { errorJsonView, toJsonView, type JsonValue } from '@keel/core';
import type { ErrorRecord, PayloadRef, Store } from '@keel/core';
import { decodeValue } from '@keel/core/adapter';
import { shortStacks } from './json-view.js';

/**
 * Reads stored values one at a time. Listing an execution's checkpoints with their payloads decodes
 * every prompt of the run; an answer about one checkpoint needs only its own.
 */
export class StoredPayloads {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The decoded value a record refers to. */
  async value(ref: PayloadRef): Promise<unknown> {
    const text = await this.#store.getBlob(ref.hash);
    if (text === null) {
      throw new Error(
        `The store ${this.#store.location} has no blob ${ref.hash} although a record refers to it; the store was copied partially or its blobs were deleted.`,
      );
    }
    return decodeValue(text);
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
