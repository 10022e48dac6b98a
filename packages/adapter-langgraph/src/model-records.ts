import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { requestFingerprint, tokenUsage, type TokenUsage } from '@keel/core/adapter';
import { reviveValue, storeValue, type StoredValue } from './langchain-values.js';

/** The serializer for call records: LangGraph's, so records hold LangChain's own message JSON. */
export const recordSerde = new JsonPlusSerializer();

/**
 * One part of a recorded model call. A call made with `invoke` is recorded as one `message` part; a
 * streamed call as its `chunk` parts in order. Either can be replayed either way (a run that
 * streamed before a crash may be resumed by `invoke`, and the other way round).
 */
export type ModelPart = { readonly type: 'message'; readonly message: StoredValue } | { readonly type: 'chunk'; readonly chunk: StoredValue };

/** Records a whole response. */
export async function messagePart(message: BaseMessage): Promise<ModelPart> {
  return { type: 'message', message: await storeValue(recordSerde, message) };
}

/** Records one streamed chunk. */
export async function chunkPart(chunk: AIMessageChunk): Promise<ModelPart> {
  return { type: 'chunk', chunk: await storeValue(recordSerde, chunk) };
}

/** The response a recording amounts to (chunks are concatenated, as LangChain does). */
export async function messageOf(parts: readonly ModelPart[]): Promise<BaseMessage> {
  const first = parts[0];
  if (parts.length === 1 && first?.type === 'message') return (await reviveValue(recordSerde, first.message)) as BaseMessage;
  let aggregate: AIMessageChunk | undefined;
  for (const chunk of await chunksOf(parts)) aggregate = aggregate === undefined ? chunk : concat(aggregate, chunk);
  if (!aggregate) throw new Error('A recorded model call has no output; the record is damaged.');
  return chunkToMessage(aggregate);
}

/** The chunks a recording streams as (a whole response is one chunk). */
export async function chunksOf(parts: readonly ModelPart[]): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for (const part of parts) {
    const value = await reviveValue(recordSerde, part.type === 'chunk' ? part.chunk : part.message);
    chunks.push(AIMessageChunk.isInstance(value) ? (value as AIMessageChunk) : messageToChunk(value as AIMessage));
  }
  return chunks;
}

/** The fields a message and a chunk share, for converting one into the other. */
function messageFields(message: AIMessage | AIMessageChunk) {
  return {
    content: message.content,
    ...(message.id !== undefined ? { id: message.id } : {}),
    ...(message.name !== undefined ? { name: message.name } : {}),
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    ...(message.usage_metadata !== undefined ? { usage_metadata: message.usage_metadata } : {}),
  };
}

function chunkToMessage(chunk: AIMessageChunk): AIMessage {
  return new AIMessage({
    ...messageFields(chunk),
    tool_calls: chunk.tool_calls ?? [],
    invalid_tool_calls: chunk.invalid_tool_calls ?? [],
  });
}

function messageToChunk(message: AIMessage): AIMessageChunk {
  return new AIMessageChunk({
    ...messageFields(message),
    tool_call_chunks: (message.tool_calls ?? []).map((call, index) => ({
      type: 'tool_call_chunk' as const,
      index,
      ...(call.id !== undefined ? { id: call.id } : {}),
      name: call.name,
      args: JSON.stringify(call.args),
    })),
  });
}

/** Token usage of a response, in core's one spelling. */
export function usageOf(message: BaseMessage | undefined): TokenUsage | undefined {
  const usage = (message as AIMessage | undefined)?.usage_metadata;
  if (!usage) return undefined;
  return tokenUsage({ inputTokens: usage.input_tokens, outputTokens: usage.output_tokens });
}

/**
 * A hash of what a model call asks: the model, the messages (role, content, tool calls) and the
 * options that change the answer. Message ids and provider metadata are left out, so a replayed
 * conversation fingerprints the same as the live one.
 */
export function modelRequestFingerprint(model: string, messages: readonly BaseMessage[], extras: unknown): string {
  const normalized = messages.map((message) => {
    const fields = message as unknown as Record<string, unknown>;
    return {
      type: message.getType(),
      content: message.content,
      ...(Array.isArray(fields['tool_calls']) && fields['tool_calls'].length
        ? { tool_calls: (fields['tool_calls'] as { id?: string; name: string; args: unknown }[]).map(({ id, name, args }) => ({ id, name, args })) }
        : {}),
      ...(typeof fields['tool_call_id'] === 'string' ? { tool_call_id: fields['tool_call_id'] } : {}),
    };
  });
  return requestFingerprint([model, normalized, extras]);
}
