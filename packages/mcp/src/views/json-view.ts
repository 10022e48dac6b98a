/** A value that JSON carries as it is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const deepest = 64;

/**
 * Turns a decoded Keel value into plain JSON for an answer. Keel's codec keeps `Date`, bytes, `Map`,
 * `Set`, `BigInt`, `URL`, `Error` and `undefined`, which JSON has not: dates become ISO strings, URLs
 * and big integers strings, non-finite numbers their name, `undefined` is left out (or `null` in a
 * list), bytes `{ "$bytes": size, "base64" }`, maps `{ "$map": [[key, value]…] }`, sets
 * `{ "$set": […] }`, and errors `{ "$error": name, "message", …fields, "stack", "cause" }`.
 */
export function toJsonView(value: unknown, depth = 0): JsonValue {
  if (depth > deepest) return '[nested too deeply to show]';
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
  if (Array.isArray(value)) return value.map((item) => toJsonView(item, depth + 1));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof URL) return value.href;
  if (value instanceof Uint8Array) {
    return { $bytes: value.byteLength, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Map) return { $map: [...value].map(([key, entry]) => [toJsonView(key, depth + 1), toJsonView(entry, depth + 1)]) };
  if (value instanceof Set) return { $set: [...value].map((item) => toJsonView(item, depth + 1)) };
  if (value instanceof Error) return errorView(value, { depth });
  const object: Record<string, JsonValue> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (entry === undefined || typeof entry === 'function' || typeof entry === 'symbol') continue;
    object[key] = toJsonView(entry, depth + 1);
  }
  return object;
}

/**
 * An error as JSON: its class name, message, own fields (an HTTP status, a code), stack and cause.
 * @param options.stackLines - Keep at most this many lines of the stack (all when left out).
 */
export function errorView(error: Error, options: { depth?: number; stackLines?: number } = {}): { [key: string]: JsonValue } {
  const depth = options.depth ?? 0;
  const view: { [key: string]: JsonValue } = { $error: error.name, message: error.message };
  for (const [key, entry] of Object.entries(error)) {
    if (entry === undefined || key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    view[key] = toJsonView(entry, depth + 1);
  }
  if (error.stack) view.stack = shortStack(error.stack, options.stackLines);
  if (error.cause !== undefined) {
    view.cause = error.cause instanceof Error ? errorView(error.cause, { ...options, depth: depth + 1 }) : toJsonView(error.cause, depth + 1);
  }
  return view;
}

/** A stack with at most `lines` lines, saying how many were left out. */
export function shortStack(stack: string, lines: number | undefined): string {
  if (lines === undefined) return stack;
  const all = stack.split('\n');
  if (all.length <= lines) return stack;
  return [...all.slice(0, lines), `    … ${all.length - lines} more lines (get_checkpoint shows the whole stack)`].join('\n');
}

/** JSON text of a value as answers show it (two-space indents). */
export function jsonText(value: JsonValue): string {
  return JSON.stringify(value, null, 2);
}

/** The first `limit` characters of a value's JSON, on one line, for lists and summaries. */
export function oneLine(value: JsonValue, limit: number): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= limit ? flat : `${flat.slice(0, limit)}… (+${flat.length - limit} characters)`;
}
