import type { Store } from '../store/store.js';
import type { PayloadRef } from '../store/records.js';
import { encodeValue, decodeValue } from './codec.js';
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

/** Reads and decodes a stored payload. */
export async function loadPayload(store: Store, ref: PayloadRef): Promise<unknown> {
  const text = await store.getBlob(ref.hash);
  if (text === null) {
    throw new Error(
      `Keel store ${store.location} has no blob ${ref.hash} although a record refers to it. ` +
        'The store was copied partially or its blobs were deleted.',
    );
  }
  return decodeValue(text);
}
