import type { Reply } from './reply.js';
import { argumentDeltas, serverSentEvent, textDeltas } from './server-sent-events.js';
import type { WireFormat } from './wire-format.js';

type ContentBlock = { type: 'text'; text: string; citations: null } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/**
 * Anthropic Messages, `POST /v1/messages`. Streams as `message_start`, `ping`, then per content block
 * `content_block_start` / `content_block_delta`… / `content_block_stop`, then `message_delta` and
 * `message_stop` — every frame with an `event:` line, which `@anthropic-ai/sdk` requires.
 */
export const anthropicMessagesWire: WireFormat = {
  api: 'anthropic-messages',
  path: '/v1/messages',
  toolCallIdPrefix: 'toolu',
  requestIdHeader: 'request-id',
  requiresObjectArguments: true,

  renderJson(reply, _request, ids) {
    return { ...messageShell(ids('msg'), reply), content: contentBlocks(reply), stop_reason: stopReason(reply), usage: usageOf(reply) };
  },

  renderStream(reply, _request, ids) {
    const frames: string[] = [];
    const emit = (type: string, fields: Record<string, unknown> = {}) => {
      frames.push(serverSentEvent({ type, ...fields }, type));
    };
    emit('message_start', {
      message: {
        ...messageShell(ids('msg'), reply),
        content: [],
        stop_reason: null,
        // The API reports input up front and a placeholder output count, settled by message_delta.
        usage: { ...usageOf(reply), output_tokens: 1 },
      },
    });
    emit('ping');
    contentBlocks(reply).forEach((block, index) => {
      if (block.type === 'text') {
        emit('content_block_start', { index, content_block: { type: 'text', text: '', citations: null } });
        for (const text of textDeltas(block.text)) emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
      } else {
        emit('content_block_start', { index, content_block: { ...block, input: {} } });
        for (const partial_json of argumentDeltas(JSON.stringify(block.input))) {
          emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
        }
      }
      emit('content_block_stop', { index });
    });
    const { service_tier: _serviceTier, ...finalUsage } = usageOf(reply);
    emit('message_delta', { delta: { stop_reason: stopReason(reply), stop_sequence: null }, usage: finalUsage });
    emit('message_stop');
    return frames;
  },

  errorBody(status, message, errorType, requestId) {
    const known = anthropicErrors[status];
    return {
      type: 'error',
      error: {
        type: errorType ?? known?.type ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
        message: message ?? known?.message ?? `fake LLM error ${status}`,
      },
      request_id: requestId,
    };
  },
};

function messageShell(id: string, reply: Reply) {
  return { id, type: 'message', role: 'assistant', model: reply.model, stop_sequence: null };
}

function contentBlocks(reply: Reply): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (reply.text !== '' || reply.toolCalls.length === 0) blocks.push({ type: 'text', text: reply.text, citations: null });
  for (const call of reply.toolCalls) {
    // Checked to be a JSON object before rendering (requiresObjectArguments).
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) as Record<string, unknown> });
  }
  return blocks;
}

function stopReason(reply: Reply): string {
  return reply.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function usageOf({ usage }: Reply) {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
    service_tier: 'standard',
  };
}

const anthropicErrors: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Billing error.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit (fake LLM).' },
  500: { type: 'api_error', message: 'Internal server error (fake LLM).' },
  504: { type: 'timeout_error', message: 'Request timed out (fake LLM).' },
  529: { type: 'overloaded_error', message: 'Overloaded (fake LLM).' },
};
