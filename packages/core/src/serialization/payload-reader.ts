import type { Store } from '../store/store.js';
import type { CheckpointRecord, PayloadRef } from '../store/records.js';
import { BlobMissingError, type BlobReferrer } from '../errors/blob-missing-error.js';
import { StoreCorruptedError } from '../errors/store-corrupted-error.js';
import { ChainedRequest } from './chained-request.js';
import { BlobList, decodeValue } from './codec.js';

/** The fields where an earlier Keel stored a conversation as a {@link BlobList}. */
const blobListFields = ['messages', 'prompt', 'input'] as const;

/**
 * Reads stored payloads back to the values that were stored, rebuilding model requests stored as a
 * conversation: a {@link ChainedRequest} chain (followed to its first link, in a loop, not recursion)
 * or — as an earlier Keel stored them — message lists held as a {@link BlobList}.
 *
 * A reader remembers every blob it read, so loading all the requests of an execution with one reader
 * reads each link and each message once. Following a chain needs one read per link; a caller that
 * knows the links ahead (the captured inputs of an execution's model checkpoints) passes them to
 * {@link prefetch} so they are read together instead of one after another.
 */
export class PayloadReader {
  readonly #store: Store;
  readonly #texts = new Map<string, Promise<string | null>>();
  readonly #links = new Map<string, ChainedRequest>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Reads these blobs now, all at once, for the loads that follow (missing ones are reported by the
   * load that needs them).
   */
  async prefetch(hashes: Iterable<string>): Promise<void> {
    const list = [...hashes];
    this.#startReading(list);
    await Promise.all(list.map((hash) => this.#texts.get(hash)));
  }

  /**
   * Reads the captured requests of these checkpoints' model calls together. The links of a chain are
   * the requests of the execution's earlier model calls, so loading any one request afterwards reads
   * no link on its own.
   */
  prefetchRequests(checkpoints: readonly Pick<CheckpointRecord, 'kind' | 'input'>[]): Promise<void> {
    return this.prefetch(checkpoints.flatMap((record) => (record.kind === 'model' && record.input ? [record.input.hash] : [])));
  }

  /**
   * Reads and decodes a stored payload.
   * @param referrer - The record that holds `ref`, named by a missing blob's error.
   * @throws {@link BlobMissingError} when the store lacks a blob of it.
   * @throws {@link StoreCorruptedError} when a conversation chain is broken (a link that is not one).
   */
  async load(ref: PayloadRef, referrer?: BlobReferrer): Promise<unknown> {
    const value = decodeValue(await this.#text(ref.hash, referrer));
    if (value instanceof ChainedRequest) return this.#request(ref.hash, value, referrer);
    if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
    const request = value as Record<string, unknown>;
    for (const field of blobListFields) {
      const list = request[field];
      if (list instanceof BlobList) request[field] = await this.#values(list.hashes, referrer);
    }
    return request;
  }

  /** A request rebuilt from its chain: the nearest envelope, and the messages of every link in order. */
  async #request(hash: string, last: ChainedRequest, referrer: BlobReferrer | undefined): Promise<Record<string, unknown>> {
    this.#links.set(hash, last);
    const segments: (readonly string[])[] = [];
    let envelope: { hash: string; field: string } | undefined;
    let link = last;
    const seen = new Set([hash]);
    for (;;) {
      segments.push(link.appended);
      if (envelope === undefined && link.envelope !== undefined) envelope = { hash: link.envelope, field: link.field ?? '' };
      if (link.previous === undefined) break;
      if (seen.has(link.previous)) throw this.#broken(hash, `its chain comes back to ${link.previous}`);
      seen.add(link.previous);
      link = await this.#link(link.previous, hash, referrer);
    }
    if (envelope === undefined || envelope.field === '') throw this.#broken(hash, 'no link of its chain holds the rest of the request');
    const hashes = segments.reverse().flat();
    this.#startReading([envelope.hash, ...hashes]);
    const [fields, messages] = await Promise.all([this.#text(envelope.hash, referrer), this.#values(hashes, referrer)]);
    const request = decodeValue(fields);
    if (request === null || typeof request !== 'object' || Array.isArray(request)) throw this.#broken(hash, `${envelope.hash} is not a request`);
    (request as Record<string, unknown>)[envelope.field] = messages;
    return request as Record<string, unknown>;
  }

  async #link(hash: string, request: string, referrer: BlobReferrer | undefined): Promise<ChainedRequest> {
    const known = this.#links.get(hash);
    if (known) return known;
    const link = decodeValue(await this.#text(hash, referrer));
    if (!(link instanceof ChainedRequest)) throw this.#broken(request, `${hash}, which it extends, is not a link of a conversation`);
    this.#links.set(hash, link);
    return link;
  }

  /** The decoded values of these blobs, in order, read together. */
  async #values(hashes: readonly string[], referrer: BlobReferrer | undefined): Promise<unknown[]> {
    this.#startReading(hashes);
    return Promise.all(hashes.map(async (hash) => decodeValue(await this.#text(hash, referrer))));
  }

  async #text(hash: string, referrer: BlobReferrer | undefined): Promise<string> {
    this.#startReading([hash]);
    const text = await this.#texts.get(hash);
    if (text === null || text === undefined) throw new BlobMissingError({ hash, location: this.#store.location, ...(referrer ? { referrer } : {}) });
    return text;
  }

  /** Starts reading, together, the blobs not read yet; a read once started is shared by everything that needs it. */
  #startReading(hashes: readonly string[]): void {
    const unread = [...new Set(hashes.filter((hash) => !this.#texts.has(hash)))];
    if (unread.length === 0) return;
    const found = readBlobs(this.#store, unread);
    for (const hash of unread) {
      const text = found.then((blobs) => blobs.get(hash) ?? null);
      // A failed read is reported by the load that awaits it; one nobody awaits (prefetched) must not go unhandled.
      text.catch(() => {});
      this.#texts.set(hash, text);
    }
  }

  #broken(hash: string, detail: string): StoreCorruptedError {
    return new StoreCorruptedError({
      location: `${this.#store.location} (blob ${hash})`,
      detail: `the model request stored as ${hash} cannot be rebuilt: ${detail}`,
      remedy: 'Restore the store from a backup; the execution can be resumed once its blobs are back.',
    });
  }
}

/** Reads blobs in one step (`getBlobs`); a single one with `getBlob`. */
async function readBlobs(store: Store, hashes: readonly string[]): Promise<Map<string, string>> {
  if (hashes.length !== 1) return store.getBlobs(hashes);
  const text = await store.getBlob(hashes[0]!);
  return text === null ? new Map() : new Map([[hashes[0]!, text]]);
}
