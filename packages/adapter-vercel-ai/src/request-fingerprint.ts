import { contentHash, encodeValue } from '@keel/core/adapter';

/** Call options that say nothing about what is asked: transport details that differ between runs. */
const transportOptions = new Set(['abortSignal', 'headers']);

/**
 * The data of a request, as the codec can store it: functions, symbols, signals and streams are
 * dropped, class instances become their JSON form (or their string form). Dates, bytes and URLs stay,
 * the codec tags them.
 */
export function requestData(value: unknown, ancestors: object[] = []): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || value instanceof Uint8Array || value instanceof URL) return value;
  if (value instanceof AbortSignal || value instanceof ReadableStream || value instanceof Promise) return undefined;
  if (ancestors.includes(value)) return undefined;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => requestData(item, ancestors) ?? null);
    if (value instanceof Error) return { name: value.name, message: value.message };
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype !== Object.prototype && prototype !== null) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      return typeof toJSON === 'function' ? requestData(toJSON.call(value), ancestors) : String(value);
    }
    const data: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const copied = requestData(field, ancestors);
      if (copied !== undefined) data[key] = copied;
    }
    return data;
  } finally {
    ancestors.pop();
  }
}

/** A model request without its transport details: what the fingerprint covers and what is captured. */
export function modelRequest(model: { readonly provider: string; readonly modelId: string }, options: Readonly<Record<string, unknown>>) {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!transportOptions.has(key)) settings[key] = value;
  return requestData({ provider: model.provider, modelId: model.modelId, ...settings }) as Record<string, unknown>;
}

/** The fingerprint of request data: a hash that changes when what is asked changes. */
export function fingerprintOf(data: unknown): string {
  return contentHash(encodeValue(data, 'a request fingerprint'));
}
