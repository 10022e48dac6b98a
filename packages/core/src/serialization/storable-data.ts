/**
 * The data of a value, as the codec can store it: functions, symbols, abort signals, streams and
 * promises are dropped (they are not data), class instances become their `toJSON()` form (or their
 * string form), errors `{ name, message }`, a value met again inside itself is dropped. Dates, bytes
 * and URLs stay as they are: the codec tags them, so they come back as themselves. For what a call
 * records (its request, its result's metadata), where the harness's objects carry live handles.
 */
export function storableData(value: unknown): unknown {
  return copy(value, []);
}

function copy(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || value instanceof Uint8Array || value instanceof URL) return value;
  if (value instanceof AbortSignal || value instanceof ReadableStream || value instanceof Promise) return undefined;
  if (ancestors.includes(value)) return undefined;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copy(item, ancestors) ?? null);
    if (value instanceof Error) return { name: value.name, message: value.message };
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype !== Object.prototype && prototype !== null) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      return typeof toJSON === 'function' ? copy(toJSON.call(value), ancestors) : String(value);
    }
    const data: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const copied = copy(field, ancestors);
      if (copied !== undefined) data[key] = copied;
    }
    return data;
  } finally {
    ancestors.pop();
  }
}

/**
 * A JSON copy of a value: what it becomes once stored as JSON and read back (class instances become
 * their JSON, `undefined` members disappear, bigints become strings). Handing the harness this copy
 * on the live path too means a live call and its replay give it the same shape.
 */
export function jsonCopy<T>(value: T): T {
  const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}
