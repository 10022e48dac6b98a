import type { Store } from '../store/store.js';
import { blobReferences } from './blob-references.js';
import { encodeValue } from './codec.js';
import { PayloadReader } from './payload-reader.js';

/** What the captured model requests of an execution take in its store (see {@link requestStorage}). */
export interface RequestStorage {
  /** The model checkpoints with a captured request. */
  readonly requests: number;
  /** Bytes of every blob the requests need — links, messages, envelopes — each counted once. */
  readonly storedBytes: number;
  /** Bytes of the largest request encoded whole: every message of its conversation once (the unique conversation). */
  readonly conversationBytes: number;
  /** Bytes the requests would take each stored whole. */
  readonly wholeBytes: number;
}

/**
 * Measures how an execution's model requests are stored: the bytes of the blobs they need against the
 * unique conversation. An agent re-sends its whole history on every call; a store that keeps each
 * request whole (or as a list of every message's hash) grows with the square of the conversation,
 * Keel's chains with the conversation. The adapter conformance suite asserts it on every adapter.
 */
export async function requestStorage(store: Store, executionId: string): Promise<RequestStorage> {
  const refs = (await store.listCheckpoints(executionId)).flatMap((record) => (record.kind === 'model' && record.input ? [record.input] : []));
  const sizes = new Map<string, number>();
  let pending = refs.map((ref) => ref.hash);
  while (pending.length > 0) {
    const next: string[] = [];
    for (const hash of new Set(pending)) {
      if (sizes.has(hash)) continue;
      const text = (await store.getBlob(hash)) ?? '';
      sizes.set(hash, Buffer.byteLength(text));
      next.push(...blobReferences(text));
    }
    pending = next;
  }
  const reader = new PayloadReader(store);
  await reader.prefetch(refs.map((ref) => ref.hash));
  const whole = await Promise.all(refs.map(async (ref) => Buffer.byteLength(encodeValue(await reader.load(ref), 'a stored request'))));
  return {
    requests: refs.length,
    storedBytes: [...sizes.values()].reduce((sum, bytes) => sum + bytes, 0),
    conversationBytes: Math.max(0, ...whole),
    wholeBytes: whole.reduce((sum, bytes) => sum + bytes, 0),
  };
}
