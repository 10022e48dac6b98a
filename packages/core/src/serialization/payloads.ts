import type { Store } from '../store/store.js';
import type { BlobReferrer } from '../errors/blob-missing-error.js';
import type { PayloadRef } from '../store/records.js';
import { encodeValue } from './codec.js';
import { PayloadReader } from './payload-reader.js';
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

/**
 * Reads and decodes a stored payload, rebuilding a model request stored as a conversation. To load
 * several, share one {@link PayloadReader}: it reads each blob once.
 * @throws {@link BlobMissingError} naming `referrer` when the store lacks a blob of it.
 */
export function loadPayload(store: Store, ref: PayloadRef, referrer?: BlobReferrer): Promise<unknown> {
  return new PayloadReader(store).load(ref, referrer);
}
