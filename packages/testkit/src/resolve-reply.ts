import type { FakeRequest } from './fake-request.js';
import type { IdSource } from './id-source.js';
import { parseJsonObject } from './parse-json-object.js';
import type { Reply } from './reply.js';
import { ScriptProblem } from './script-problem.js';
import type { FakeTurn } from './turn.js';
import type { WireFormat } from './wire-format.js';

/**
 * Decides everything a turn leaves open for one request: tool call ids (the server's next ids unless
 * the turn names them), serialized arguments, the model name echoed from the request, and usage with
 * defaults derived from the request and output sizes (about four characters per token).
 */
export function resolveReply(turn: FakeTurn, record: FakeRequest, wire: WireFormat, ids: IdSource, turnIndex: number): Reply {
  const text = turn.text ?? '';
  const toolCalls = (turn.toolCalls ?? []).map((call, position) => {
    const serialized = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
    if (wire.requiresObjectArguments && parseJsonObject(serialized) === undefined) {
      throw new ScriptProblem(
        `fake LLM script turn ${turnIndex}: toolCalls[${position}].arguments must be a JSON object for ${wire.api} (tool_use input), got ${serialized}`,
      );
    }
    return { id: call.id ?? ids(wire.toolCallIdPrefix), name: call.name, arguments: serialized };
  });
  const outputCharacters = text.length + toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  const model = typeof record.body['model'] === 'string' ? record.body['model'] : 'fake-model';
  return {
    model,
    text,
    toolCalls,
    usage: {
      inputTokens: turn.usage?.inputTokens ?? Math.ceil(Buffer.byteLength(record.rawBody) / 4),
      outputTokens: turn.usage?.outputTokens ?? Math.max(1, Math.ceil(outputCharacters / 4)),
      cachedInputTokens: turn.usage?.cachedInputTokens ?? 0,
      cacheWriteTokens: turn.usage?.cacheWriteTokens ?? 0,
      reasoningTokens: turn.usage?.reasoningTokens ?? 0,
    },
  };
}
