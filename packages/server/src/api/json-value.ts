/** A value JSON can carry as it is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Turns a decoded Keel value into plain JSON for an answer. Keel's codec keeps `Date`, bytes, `Map`,
 * `Set`, `BigInt`, `URL`, `Error` and `undefined`; JSON has none of them, so:
 * dates become ISO strings, URLs and big integers strings, non-finite numbers their name,
 * `undefined` is left out (or `null` in a list), and the rest become objects tagged with `$type`
 * (`{ "$type": "Uint8Array", "size", "base64" }`, `{ "$type": "Map", "entries" }`,
 * `{ "$type": "Set", "values" }`, errors as `{ "$type": "Error", "name", "message", … }`).
 */
export function toJsonValue(value: unknown, depth = 0): JsonValue {
  if (depth > 64) return '[nested too deeply]';
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
      return null;
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof URL) return value.href;
  if (value instanceof Uint8Array) {
    return { $type: 'Uint8Array', size: value.byteLength, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Map) return { $type: 'Map', entries: [...value].map(([key, entry]) => [toJsonValue(key, depth + 1), toJsonValue(entry, depth + 1)]) };
  if (value instanceof Set) return { $type: 'Set', values: [...value].map((item) => toJsonValue(item, depth + 1)) };
  if (value instanceof Error) return errorJson(value, depth);
  const object: Record<string, JsonValue> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (entry === undefined) continue;
    object[key] = toJsonValue(entry, depth + 1);
  }
  return object;
}

/** An error as JSON: its name, message, code, stack, own fields and cause. */
export function errorJson(error: Error, depth = 0): { [key: string]: JsonValue } {
  const json: { [key: string]: JsonValue } = { $type: 'Error', name: error.name, message: error.message };
  for (const [key, entry] of Object.entries(error)) {
    if (entry === undefined || key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    json[key] = toJsonValue(entry, depth + 1);
  }
  if (error.stack) json.stack = error.stack;
  if (error.cause !== undefined) json.cause = toJsonValue(error.cause, depth + 1);
  return json;
}
