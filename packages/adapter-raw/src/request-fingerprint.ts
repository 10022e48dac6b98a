import { contentHash } from '@keel/core/adapter';

/**
 * A JSON-safe, key-sorted copy of what a call was given, for its fingerprint and its captured input.
 * Requests carry things that are not data — an `AbortSignal`, a callback, a client instance — and
 * those say nothing about *which* request it is, so they are dropped or named instead of failing the
 * call. Keys are sorted so that the same request built in another order is the same request.
 */
export function normalizeRequest(value: unknown): unknown {
  return normalize(value, []);
}

/**
 * The fingerprint of a request: a hash of its normalized form. On resume, a call that meets a record
 * with another fingerprint at its id is a divergence (the code now asks something else).
 */
export function requestFingerprint(value: unknown): string {
  return contentHash(JSON.stringify(normalize(value, []) ?? null));
}

function normalize(value: unknown, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.includes(object)) return '[circular]';
  if (typeof AbortSignal !== 'undefined' && object instanceof AbortSignal) return undefined;
  if (object instanceof Date) return object.toISOString();
  if (object instanceof URL) return object.href;
  if (object instanceof Uint8Array) return { base64: Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64') };
  if (typeof Headers !== 'undefined' && object instanceof Headers) return normalize(Object.fromEntries(object.entries()), ancestors);
  ancestors.push(object);
  try {
    if (Array.isArray(object)) return object.map((item) => normalize(item, ancestors) ?? null);
    const prototype = Object.getPrototypeOf(object) as object | null;
    if (prototype !== Object.prototype && prototype !== null) {
      const toJSON = (object as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return normalize(toJSON.call(object), ancestors);
      if (object instanceof Map) return normalize(Object.fromEntries(object), ancestors);
      if (object instanceof Set) return normalize([...object], ancestors);
      if (!(object instanceof Error)) {
        // A client, a stream, a class without a JSON form: its kind is all that identifies it.
        return `[${(prototype.constructor as { name?: string } | undefined)?.name || 'object'}]`;
      }
    }
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(object).sort()) {
      const field = normalize((object as Record<string, unknown>)[key], ancestors);
      if (field !== undefined) copy[key] = field;
    }
    if (object instanceof Error) {
      copy.name = object.name;
      copy.message = object.message;
    }
    return copy;
  } finally {
    ancestors.pop();
  }
}
