/**
 * Turns a decoded Keel value into plain JSON for `--json` output and for printing: Keel stores
 * `Date`, `Map`, `Set`, `BigInt`, `Uint8Array`, `URL`, `Error` and `undefined`, which `JSON.stringify`
 * drops or throws on.
 */
export function toJsonValue(value: unknown, seen: Set<unknown> = new Set()): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof URL) return value.href;
    if (value instanceof Uint8Array) return { binary: true, bytes: value.byteLength, base64: Buffer.from(value).toString('base64') };
    if (value instanceof Error) {
      return {
        name: value.name,
        message: value.message,
        ...Object.fromEntries(Object.entries(value).map(([key, field]) => [key, toJsonValue(field, seen)])),
        ...(value.cause !== undefined ? { cause: toJsonValue(value.cause, seen) } : {}),
      };
    }
    if (value instanceof Map) return Object.fromEntries([...value].map(([key, entry]) => [String(key), toJsonValue(entry, seen)]));
    if (value instanceof Set) return [...value].map((entry) => toJsonValue(entry, seen));
    if (Array.isArray(value)) return value.map((entry) => toJsonValue(entry, seen));
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, entry]) => [key, toJsonValue(entry, seen)]));
  } finally {
    seen.delete(value);
  }
}

/** Pretty JSON (two-space indent) of any decoded value. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(toJsonValue(value), null, 2);
}

/** One-line JSON of any decoded value, cut to `width` characters. */
export function previewJson(value: unknown, width = 80): string {
  const text = JSON.stringify(toJsonValue(value)) ?? 'null';
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}
