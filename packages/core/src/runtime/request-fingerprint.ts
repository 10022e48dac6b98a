import { createHash } from 'node:crypto';

/**
 * The fingerprint scheme this version of Keel writes. A fingerprint is `<scheme>:<hex digest>`.
 * Records written before fingerprints were versioned carry `sha256:<hex>` — the content hash of one
 * of four adapter-specific normal forms — and are not compared (see {@link fingerprintsConflict}).
 */
export const fingerprintScheme = 'fp2';

/**
 * A JSON-safe, key-sorted copy of what a call was given: the normal form its fingerprint hashes and
 * what adapters capture as its input. Requests carry things that are not data — an `AbortSignal`, a
 * callback, a client instance — and those say nothing about *which* request it is, so they are
 * dropped or named (`"[OpenAI]"`) instead of failing the call. Keys are sorted, so the same request
 * built in another order (a live object versus one rebuilt from a stored string) is the same request.
 * Dates become ISO text, URLs their `href`, bytes `{ base64 }`, maps objects, sets arrays, a value
 * met again inside itself `"[circular]"`; objects with a `toJSON` are normalized by its result.
 */
export function normalizeRequest(value: unknown): unknown {
  return normalize(value, []);
}

/**
 * The fingerprint of a request: `fp2:` and the SHA-256 of its normalized JSON. On resume, a call
 * that meets a record with another fingerprint at its id is a divergence (the code now asks
 * something else). Callers choose what counts as "the request": leave out what differs between a
 * live call and its replay without changing the answer (transport options, tracing ids).
 */
export function requestFingerprint(request: unknown): string {
  const text = JSON.stringify(normalize(request, []) ?? null);
  return `${fingerprintScheme}:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Whether a recorded fingerprint and the current one say the calls differ. Fingerprints are compared
 * only within one scheme (the text before the first `:`): a record made by an older scheme was
 * hashed from another normal form, so its fingerprint cannot be compared with today's and is
 * ignored — the name and kind of the call are still checked. Either side missing: no conflict.
 */
export function fingerprintsConflict(recorded: string | undefined, current: string | undefined): boolean {
  if (recorded === undefined || current === undefined) return false;
  if (schemeOf(recorded) !== schemeOf(current)) return false;
  return recorded !== current;
}

function schemeOf(fingerprint: string): string {
  const colon = fingerprint.indexOf(':');
  return colon === -1 ? '' : fingerprint.slice(0, colon);
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
