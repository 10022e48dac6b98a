import { Command, isCommand } from '@langchain/langgraph';
import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';

/**
 * A LangChain or LangGraph value as Keel stores it: the JSON that LangGraph's own serializer writes
 * (messages as LangChain's `{ lc, type, id, kwargs }` form), kept as JSON rather than as bytes so that
 * the CLI and the dashboard show it; values the serializer writes as bytes are kept as base64.
 */
export type StoredValue = { readonly type: 'json'; readonly json: unknown } | { readonly type: string; readonly base64: string };

/** Serializes a value with LangGraph's serializer into a {@link StoredValue}. */
export async function storeValue(serde: SerializerProtocol, value: unknown): Promise<StoredValue> {
  const [type, bytes] = await serde.dumpsTyped(value);
  if (type === 'json') return { type, json: JSON.parse(new TextDecoder().decode(bytes)) as unknown };
  return { type, base64: Buffer.from(bytes).toString('base64') };
}

/** Rebuilds the value of a {@link StoredValue}: classes (messages, `Command`) come back as classes. */
export async function reviveValue(serde: SerializerProtocol, stored: StoredValue): Promise<unknown> {
  if ('json' in stored) return reviveCommand(await serde.loadsTyped('json', JSON.stringify(stored.json)));
  return serde.loadsTyped(stored.type, new Uint8Array(Buffer.from(stored.base64, 'base64')));
}

/**
 * LangGraph's serializer writes a `Command` (a tool's or a node's way to update state and jump) as
 * a plain `{ lg_name: 'Command', … }` object and reads it back as one; a replayed tool result must
 * be a `Command` again, or the graph would treat it as data.
 */
function reviveCommand(value: unknown): unknown {
  if (isCommand(value) || typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record['lg_name'] !== 'Command') return value;
  const fields: Record<string, unknown> = {};
  for (const key of ['resume', 'update', 'goto', 'graph']) if (record[key] !== undefined) fields[key] = record[key];
  return new Command(fields as ConstructorParameters<typeof Command>[0]);
}
