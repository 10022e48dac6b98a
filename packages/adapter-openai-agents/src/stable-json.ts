/**
 * JSON text of a value with object keys sorted, for hashing: two requests that differ only in the
 * order their objects were built in (a live item versus one rebuilt from a `RunState` string) hash
 * the same. Like `JSON.stringify`, functions, symbols and `undefined` members are left out; a value
 * met again inside itself becomes `"[circular]"` instead of throwing.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sorted(value, []));
}

function sorted(value: unknown, ancestors: object[]): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  }
  if (ancestors.includes(value)) return '[circular]';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sorted(toJSON.call(value), ancestors);
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item) => {
        const inner = sorted(item, ancestors);
        return inner === undefined || typeof inner === 'function' || typeof inner === 'symbol' ? null : inner;
      });
    }
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const inner = sorted((value as Record<string, unknown>)[key], ancestors);
      if (inner === undefined || typeof inner === 'function' || typeof inner === 'symbol') continue;
      result[key] = inner;
    }
    return result;
  } finally {
    ancestors.pop();
  }
}

/**
 * A JSON copy of a value: what the value becomes once stored and read back (class instances become
 * their JSON, `undefined` members disappear). Live and replayed calls hand the SDK the same shape.
 */
export function plainJson<T>(value: T): T {
  const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}
