import { SerializationError } from '../errors/serialization-error.js';
import { ChainedRequest } from './chained-request.js';

/**
 * Keel's value codec: JSON, plus the values agents really return that JSON loses or rejects —
 * `Date`, `Uint8Array`, `Map`, `Set`, `BigInt`, `URL`, `Error`, `undefined` and non-finite numbers.
 * Those travel as `{ "$keel": type, "value": … }`; a user object that happens to have a `$keel` key is
 * wrapped too, so decoding never mistakes data for a tag.
 *
 * Encoding fails eagerly, at record time, with a {@link SerializationError} naming the path of the
 * part that cannot be stored — a broken record must never be discovered at replay.
 */

const TAG = '$keel';

/**
 * A list of values stored as separate blobs, referenced by hash. The codec writes and reads only the
 * hashes; `loadPayload` fetches the values. It is how a conversation is stored message by message.
 */
export class BlobList {
  constructor(readonly hashes: readonly string[]) {}
}

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

/**
 * Encodes a value to JSON text.
 * @param subject - What is being stored, for the error message (`checkpoint "search_web:1" output`).
 */
export function encodeValue(value: unknown, subject: string): string {
  return JSON.stringify(toEncoded(value, '$', subject, []));
}

/** Decodes text made by {@link encodeValue} back to an equivalent value. */
export function decodeValue(text: string): unknown {
  return fromEncoded(JSON.parse(text) as Encoded);
}

function toEncoded(value: unknown, path: string, subject: string, ancestors: object[]): Encoded {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : tag('number', String(value));
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'bigint':
      return tag('bigint', value.toString());
    case 'function':
      throw new SerializationError({ subject, path, reason: `is a function (${value.name || 'anonymous'})` });
    case 'symbol':
      throw new SerializationError({ subject, path, reason: `is a symbol (${value.description ?? ''})` });
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.includes(object)) {
    throw new SerializationError({ subject, path, reason: 'refers back to one of its parents (a circular reference)' });
  }
  ancestors.push(object);
  try {
    return encodeObject(object, path, subject, ancestors);
  } finally {
    ancestors.pop();
  }
}

function encodeObject(object: object, path: string, subject: string, ancestors: object[]): Encoded {
  if (Array.isArray(object)) {
    const items: Encoded[] = [];
    for (let index = 0; index < object.length; index++) {
      items.push(toEncoded(object[index], `${path}[${index}]`, subject, ancestors));
    }
    return items;
  }
  if (object instanceof Date) return tag('Date', Number.isNaN(object.getTime()) ? null : object.toISOString());
  if (object instanceof Uint8Array) return tag('Uint8Array', Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64'));
  if (object instanceof URL) return tag('URL', object.href);
  if (object instanceof Map) {
    const entries: Encoded[] = [];
    let index = 0;
    for (const [key, entry] of object) {
      entries.push([toEncoded(key, `${path}.<map key ${index}>`, subject, ancestors), toEncoded(entry, `${path}.<map value ${index}>`, subject, ancestors)]);
      index++;
    }
    return tag('Map', entries);
  }
  if (object instanceof Set) {
    const items: Encoded[] = [];
    let index = 0;
    for (const item of object) items.push(toEncoded(item, `${path}.<set item ${index++}>`, subject, ancestors));
    return tag('Set', items);
  }
  if (object instanceof Error) return tag('Error', encodeError(object, path, subject, ancestors));
  if (object instanceof BlobList) return tag('BlobList', [...object.hashes]);
  if (object instanceof ChainedRequest) return tag('ChainedRequest', encodeLink(object));

  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype !== Object.prototype && prototype !== null) {
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    // Like JSON.stringify: a class that says how it becomes JSON is stored as that JSON.
    if (typeof toJSON === 'function') return toEncoded(toJSON.call(object), path, subject, ancestors);
    const className = (prototype.constructor as { name?: string } | undefined)?.name || 'anonymous class';
    throw new SerializationError({ subject, path, reason: `is an instance of ${className}, which has no JSON form` });
  }
  const encoded: { [key: string]: Encoded } = {};
  for (const key of Object.keys(object)) {
    encoded[key] = toEncoded((object as Record<string, unknown>)[key], childPath(path, key), subject, ancestors);
  }
  return TAG in encoded ? tag('object', encoded) : encoded;
}

function encodeError(error: Error, path: string, subject: string, ancestors: object[]): Encoded {
  const fields: { [key: string]: Encoded } = { name: error.name, message: error.message };
  if (error.stack !== undefined) fields.stack = error.stack;
  if ('cause' in error && error.cause !== undefined) fields.cause = toEncoded(error.cause, `${path}.cause`, subject, ancestors);
  const own: { [key: string]: Encoded } = {};
  for (const key of Object.keys(error)) {
    if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue;
    const field = (error as unknown as Record<string, unknown>)[key];
    if (typeof field === 'function' || typeof field === 'symbol') continue;
    try {
      own[key] = toEncoded(field, childPath(path, key), subject, ancestors);
    } catch {
      // An error is stored to be shown and rethrown; a field that cannot be stored is dropped, not fatal.
    }
  }
  if (Object.keys(own).length) fields.fields = own;
  return fields;
}

function encodeLink(link: ChainedRequest): Encoded {
  return {
    ...(link.previous !== undefined ? { previous: link.previous } : {}),
    appended: [...link.appended],
    ...(link.envelope !== undefined ? { envelope: link.envelope, field: link.field ?? null } : {}),
  };
}

function tag(type: string, value?: Encoded): Encoded {
  return value === undefined ? { [TAG]: type } : { [TAG]: type, value };
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const errorClasses: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function fromEncoded(value: Encoded): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromEncoded);
  const type = value[TAG];
  if (typeof type !== 'string') {
    const decoded: Record<string, unknown> = {};
    for (const key of Object.keys(value)) decoded[key] = fromEncoded(value[key] as Encoded);
    return decoded;
  }
  const inner = value.value as Encoded;
  switch (type) {
    case 'undefined':
      return undefined;
    case 'number':
      return Number(inner);
    case 'bigint':
      return BigInt(inner as string);
    case 'Date':
      return new Date(inner === null ? Number.NaN : (inner as string));
    case 'Uint8Array':
      return new Uint8Array(Buffer.from(inner as string, 'base64'));
    case 'URL':
      return new URL(inner as string);
    case 'Map':
      return new Map((inner as Encoded[][]).map(([key, entry]) => [fromEncoded(key as Encoded), fromEncoded(entry as Encoded)]));
    case 'Set':
      return new Set((inner as Encoded[]).map(fromEncoded));
    case 'Error':
      return decodeError(inner as { [key: string]: Encoded });
    case 'BlobList':
      return new BlobList(inner as string[]);
    case 'ChainedRequest':
      return decodeLink(inner);
    case 'object': {
      const decoded: Record<string, unknown> = {};
      const fields = inner as { [key: string]: Encoded };
      for (const key of Object.keys(fields)) decoded[key] = fromEncoded(fields[key] as Encoded);
      return decoded;
    }
    default:
      throw new Error(`Keel codec: unknown tag "${type}" (stored by a newer Keel?)`);
  }
}

function decodeLink(inner: Encoded): ChainedRequest {
  const fields = (inner ?? {}) as { [key: string]: Encoded };
  const text = (value: Encoded | undefined) => (typeof value === 'string' ? value : undefined);
  const appended = Array.isArray(fields.appended) ? fields.appended : [];
  if (!appended.every((hash) => typeof hash === 'string')) throw new Error('Keel codec: a ChainedRequest lists something other than hashes');
  return new ChainedRequest({ previous: text(fields.previous), appended: appended as string[], envelope: text(fields.envelope), field: text(fields.field) });
}

function decodeError(fields: { [key: string]: Encoded }): Error {
  const name = String(fields.name ?? 'Error');
  const ErrorClass = errorClasses[name] ?? Error;
  const error = new ErrorClass(String(fields.message ?? ''));
  if (error.name !== name) Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  if (typeof fields.stack === 'string') error.stack = fields.stack;
  else delete error.stack;
  if (fields.cause !== undefined) (error as Error & { cause?: unknown }).cause = fromEncoded(fields.cause);
  const own = fields.fields as { [key: string]: Encoded } | undefined;
  if (own) for (const key of Object.keys(own)) (error as unknown as Record<string, unknown>)[key] = fromEncoded(own[key] as Encoded);
  return error;
}
