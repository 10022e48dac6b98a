/** A value JSON carries as it is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How deep a value is shown before it is cut (stored values are data, not graphs: this is a guard). */
const deepest = 64;

/**
 * The one JSON view of a stored (decoded) value, shared by every surface — CLI `--json`, the HTTP API,
 * the MCP server — so the same bytes look the same everywhere. Keel's codec keeps `Date`, bytes,
 * `Map`, `Set`, `BigInt`, `URL`, `Error` and `undefined`, which JSON has not:
 * - dates become ISO strings (an invalid date `null`), URLs their `href`, big integers and
 *   non-finite numbers strings;
 * - `undefined`, functions and symbols are left out of objects and are `null` in lists;
 * - the rest become objects tagged with `$type`: `{ "$type": "Uint8Array", "size", "base64" }`,
 *   `{ "$type": "Map", "entries": [[key, value]…] }`, `{ "$type": "Set", "values": […] }`, errors
 *   `{ "$type": "Error", "name", "message", …own fields, "stack", "cause" }`;
 * - a value met again inside itself is `"[circular]"`, one nested past 64 levels `"[nested too deeply]"`.
 */
export function toJsonView(value: unknown): JsonValue {
  return view(value, [], 0, {});
}

/** How {@link errorJsonView} shortens stacks. */
export interface StackOptions {
  /** Keep at most this many lines of each stack (all when left out). */
  readonly stackLines?: number;
  /** Said after a shortened stack, e.g. where to read the whole one. */
  readonly moreLinesHint?: string;
}

/**
 * An error in the {@link toJsonView} scheme: its class name, message, own fields (an HTTP status, a
 * code), stack and cause, each stack shortened per `options`.
 */
export function errorJsonView(error: Error, options: StackOptions = {}): { [key: string]: JsonValue } {
  return errorView(error, [], 0, options);
}

function view(value: unknown, ancestors: object[], depth: number, stack: StackOptions): JsonValue {
  if (depth > deepest) return '[nested too deeply]';
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
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (object instanceof URL) return object.href;
  if (object instanceof Uint8Array) {
    return { $type: 'Uint8Array', size: object.byteLength, base64: Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64') };
  }
  if (ancestors.includes(object)) return '[circular]';
  ancestors.push(object);
  try {
    const inner = (item: unknown) => view(item, ancestors, depth + 1, stack);
    if (Array.isArray(object)) return object.map(inner);
    if (object instanceof Map) return { $type: 'Map', entries: [...object].map(([key, entry]) => [inner(key), inner(entry)]) };
    if (object instanceof Set) return { $type: 'Set', values: [...object].map(inner) };
    if (object instanceof Error) return errorView(object, ancestors, depth, stack);
    const json: Record<string, JsonValue> = {};
    for (const [key, entry] of Object.entries(object)) {
      if (entry === undefined || typeof entry === 'function' || typeof entry === 'symbol') continue;
      json[key] = inner(entry);
    }
    return json;
  } finally {
    ancestors.pop();
  }
}

function errorView(error: Error, ancestors: object[], depth: number, stack: StackOptions): { [key: string]: JsonValue } {
  const inner = (item: unknown) => view(item, ancestors, depth + 1, stack);
  const json: { [key: string]: JsonValue } = { $type: 'Error', name: error.name, message: error.message };
  for (const [key, entry] of Object.entries(error)) {
    if (entry === undefined || key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    json[key] = inner(entry);
  }
  if (error.stack) json.stack = shortStack(error.stack, stack);
  if (error.cause !== undefined) json.cause = inner(error.cause);
  return json;
}

function shortStack(stack: string, { stackLines, moreLinesHint }: StackOptions): string {
  if (stackLines === undefined) return stack;
  const all = stack.split('\n');
  if (all.length <= stackLines) return stack;
  return [...all.slice(0, stackLines), `    … ${all.length - stackLines} more lines${moreLinesHint ? ` (${moreLinesHint})` : ''}`].join('\n');
}
