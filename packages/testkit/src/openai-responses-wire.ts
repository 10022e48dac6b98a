import type { IdSource } from './id-source.js';
import { nowInSeconds } from './now-in-seconds.js';
import { openAIErrorBody } from './openai-error-body.js';
import type { Reply } from './reply.js';
import { argumentDeltas, serverSentEvent, textDeltas } from './server-sent-events.js';
import type { WireFormat } from './wire-format.js';

type OutputItem = MessageItem | FunctionCallItem;

interface MessageItem {
  id: string;
  type: 'message';
  status: 'in_progress' | 'completed';
  role: 'assistant';
  content: Array<{ type: 'output_text'; text: string; annotations: never[]; logprobs: never[] }>;
}

interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: 'in_progress' | 'completed';
  call_id: string;
  name: string;
  arguments: string;
}

/** OpenAI Responses, `POST /v1/responses`. */
export const openAIResponsesWire: WireFormat = {
  api: 'openai-responses',
  path: '/v1/responses',
  toolCallIdPrefix: 'call',
  requestIdHeader: 'x-request-id',
  requiresObjectArguments: false,

  renderJson(reply, request, ids) {
    return responseObject(ids('resp'), nowInSeconds(), reply, request, 'completed', outputItems(reply, ids), true);
  },

  renderStream(reply, request, ids) {
    const id = ids('resp');
    const created = nowInSeconds();
    const items = outputItems(reply, ids);
    let sequence = 0;
    const frames: string[] = [];
    const emit = (type: string, fields: Record<string, unknown>) => {
      frames.push(serverSentEvent({ type, sequence_number: sequence++, ...fields }, type));
    };

    const started = responseObject(id, created, reply, request, 'in_progress', [], false);
    emit('response.created', { response: started });
    emit('response.in_progress', { response: started });
    items.forEach((item, outputIndex) => {
      if (item.type === 'message') {
        const text = item.content[0]?.text ?? '';
        const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
        emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
        emit('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
        for (const delta of textDeltas(text)) emit('response.output_text.delta', { ...at, delta, logprobs: [] });
        emit('response.output_text.done', { ...at, text, logprobs: [] });
        emit('response.content_part.done', { ...at, part: item.content[0] });
      } else {
        const at = { item_id: item.id, output_index: outputIndex };
        emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
        for (const delta of argumentDeltas(item.arguments)) emit('response.function_call_arguments.delta', { ...at, delta });
        emit('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.arguments });
      }
      emit('response.output_item.done', { output_index: outputIndex, item });
    });
    emit('response.completed', { response: responseObject(id, created, reply, request, 'completed', items, true) });
    return frames;
  },

  errorBody(status, message, errorType) {
    return openAIErrorBody(status, message, errorType);
  },
};

function outputItems(reply: Reply, ids: IdSource): OutputItem[] {
  const items: OutputItem[] = [];
  // A tool-call-only turn has no message item, like the real API; an empty turn still has one.
  if (reply.text !== '' || reply.toolCalls.length === 0) {
    items.push({
      id: ids('msg'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of reply.toolCalls) {
    items.push({
      id: ids('fc'),
      type: 'function_call',
      status: 'completed',
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
    });
  }
  return items;
}

// Echoes the request's settings the way the API does; clients (and @openai/agents' providerData) read them back.
function responseObject(
  id: string,
  createdAt: number,
  reply: Reply,
  request: Record<string, any>,
  status: 'in_progress' | 'completed',
  output: OutputItem[],
  withUsage: boolean,
) {
  const { usage } = reply;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request['instructions'] ?? null,
    max_output_tokens: request['max_output_tokens'] ?? null,
    max_tool_calls: null,
    model: reply.model,
    output,
    parallel_tool_calls: request['parallel_tool_calls'] ?? true,
    previous_response_id: request['previous_response_id'] ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request['store'] ?? true,
    temperature: request['temperature'] ?? 1,
    text: request['text'] ?? { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: request['tool_choice'] ?? 'auto',
    tools: request['tools'] ?? [],
    top_logprobs: 0,
    top_p: request['top_p'] ?? 1,
    truncation: request['truncation'] ?? 'disabled',
    usage: withUsage
      ? {
          input_tokens: usage.inputTokens,
          input_tokens_details: { cached_tokens: usage.cachedInputTokens },
          output_tokens: usage.outputTokens,
          output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
          total_tokens: usage.inputTokens + usage.outputTokens,
        }
      : null,
    user: null,
    metadata: request['metadata'] ?? {},
  };
}
