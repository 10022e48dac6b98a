/**
 * A plain-data copy of an SDK result (`GenerateTextResult` and its `StepResult`s are classes whose
 * fields are getters): every own field and every getter of the class is read into a plain object, so
 * the copy can be stored and gives the same answers (`text`, `steps`, `usage`, `response.messages` …)
 * when it comes back from the store. Request and response bodies are dropped (the raw HTTP payloads);
 * getters that throw (`output` without an output specification) are left out.
 */
export function snapshotResult(value: unknown): unknown {
  return snapshot(value, []);
}

function snapshot(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || value instanceof Uint8Array || value instanceof URL || value instanceof Error) return value;
  if (value instanceof AbortSignal || value instanceof ReadableStream || value instanceof Promise) return undefined;
  if (ancestors.includes(value)) return undefined;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => snapshot(item, ancestors) ?? null);
    const copy: Record<string, unknown> = {};
    for (const key of fieldNames(value)) {
      if (key.startsWith('_')) continue;
      let field: unknown;
      try {
        field = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      const copied = snapshot(field, ancestors);
      if (copied !== undefined) copy[key] = copied;
    }
    for (const details of ['request', 'response']) {
      const nested = copy[details];
      if (typeof nested === 'object' && nested !== null && 'body' in nested) delete (nested as Record<string, unknown>)['body'];
    }
    return copy;
  } finally {
    ancestors.pop();
  }
}

/** Own enumerable keys, then the getters of the object's classes. */
function fieldNames(value: object): string[] {
  const names = new Set(Object.keys(value));
  for (
    let prototype = Object.getPrototypeOf(value) as object | null;
    prototype && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
      if (name !== 'constructor' && descriptor.get) names.add(name);
    }
  }
  return [...names];
}
