/** A content address as Keel writes it. */
const contentAddress = /^sha256:[0-9a-f]{64}$/;

/**
 * The hashes of the blobs a stored blob's content refers to: a model request stored as a conversation
 * refers to the link it extends, its messages and its envelope (`ChainedRequest`), or — as an earlier
 * Keel stored it — to every message of a list (`BlobList`); a record an adapter keeps (a LangGraph
 * checkpoint) refers to the blobs of its values as payload references (`{ hash, size }`). Whatever
 * copies, digests or collects blobs follows these to have everything a record needs. Content that is
 * not JSON refers to nothing.
 */
export function blobReferences(content: string): string[] {
  if (!content.includes('"$keel"') && !content.includes('"hash":"sha256:')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [];
  }
  const hashes: string[] = [];
  const strings = (value: unknown) => {
    if (Array.isArray(value)) for (const hash of value) if (typeof hash === 'string') hashes.push(hash);
  };
  // A loop over a stack, not recursion: stored values may nest deeply.
  const pending: unknown[] = [parsed];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const object = value as Record<string, unknown>;
    if (object.$keel === 'BlobList') {
      strings(object.value);
      continue;
    }
    if (object.$keel === 'ChainedRequest' && typeof object.value === 'object' && object.value !== null) {
      const link = object.value as Record<string, unknown>;
      strings([link.previous, ...(Array.isArray(link.appended) ? link.appended : []), link.envelope]);
      continue;
    }
    if (typeof object.hash === 'string' && contentAddress.test(object.hash) && typeof object.size === 'number') {
      hashes.push(object.hash);
      continue;
    }
    for (const item of Object.values(object)) pending.push(item);
  }
  return hashes;
}
