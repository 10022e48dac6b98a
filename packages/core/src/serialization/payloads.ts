import type { Store } from '../store/store.js';
import { BlobMissingError, type BlobReferrer } from '../errors/blob-missing-error.js';
import type { PayloadRef } from '../store/records.js';
import { BlobList, encodeValue, decodeValue } from './codec.js';
import { contentHash } from './content-hash.js';

/** A value encoded and addressed, ready to be written to a store's blobs. */
export interface EncodedPayload {
  readonly ref: PayloadRef;
  readonly text: string;
}

/** Encodes a value (failing with `SerializationError` naming `subject`) and computes its address. */
export function encodePayload(value: unknown, subject: string): EncodedPayload {
  const text = encodeValue(value, subject);
  return { text, ref: { hash: contentHash(text), size: Buffer.byteLength(text) } };
}

/** Encodes a value and stores it as a blob: stored once however often it is referenced. */
export async function storePayload(store: Store, value: unknown, subject: string): Promise<PayloadRef> {
  const payload = encodePayload(value, subject);
  await store.putBlob(payload.ref.hash, payload.text);
  return payload.ref;
}

/** The fields of a model request that hold its conversation. */
const conversationFields = ['messages', 'prompt', 'input'] as const;

/**
 * Stores a model request so that storage grows with the conversation, not with its square: an agent
 * re-sends its whole history on every call, so each message is stored once, as its own blob, and the
 * request keeps only their hashes. Anything that is not a request with a message list is stored whole.
 */
export async function storeConversationPayload(store: Store, value: unknown, subject: string): Promise<PayloadRef> {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return storePayload(store, value, subject);
  }
  const request = { ...(value as Record<string, unknown>) };
  for (const field of conversationFields) {
    const messages = request[field];
    if (!Array.isArray(messages) || messages.length < 2) continue;
    const refs = await Promise.all(messages.map((message, index) => storePayload(store, message, `${subject}.${field}[${index}]`)));
    request[field] = new BlobList(refs.map((ref) => ref.hash));
  }
  return storePayload(store, request, subject);
}

/**
 * Reads and decodes a stored payload (resolving message lists stored blob by blob).
 * @throws {@link BlobMissingError} naming `referrer` when the store lacks a blob of it.
 */
export async function loadPayload(store: Store, ref: PayloadRef, referrer?: BlobReferrer): Promise<unknown> {
  const value = decodeValue(await readBlob(store, ref.hash, referrer));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const request = value as Record<string, unknown>;
  for (const field of conversationFields) {
    const list = request[field];
    if (list instanceof BlobList) {
      request[field] = await Promise.all(list.hashes.map(async (hash) => decodeValue(await readBlob(store, hash, referrer))));
    }
  }
  return request;
}

async function readBlob(store: Store, hash: string, referrer: BlobReferrer | undefined): Promise<string> {
  const text = await store.getBlob(hash);
  if (text === null) throw new BlobMissingError({ hash, location: store.location, ...(referrer ? { referrer } : {}) });
  return text;
}
