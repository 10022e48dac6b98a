import { nowInSeconds } from './now-in-seconds.js';
import { openAIErrorBody } from './openai-error-body.js';
import type { Reply } from './reply.js';
import { argumentDeltas, serverSentEvent, textDeltas } from './server-sent-events.js';
import type { WireFormat } from './wire-format.js';

/** OpenAI Chat Completions, `POST /v1/chat/completions`. */
export const openAIChatWire: WireFormat = {
  api: 'openai-chat',
  path: '/v1/chat/completions',
  toolCallIdPrefix: 'call',
  requestIdHeader: 'x-request-id',
  requiresObjectArguments: false,

  renderJson(reply, _request, ids) {
    return {
      id: ids('chatcmpl'),
      object: 'chat.completion',
      created: nowInSeconds(),
      model: reply.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            // The API sends null content for a tool-call-only message, and clients branch on it.
            content: reply.text === '' && reply.toolCalls.length > 0 ? null : reply.text,
            refusal: null,
            annotations: [],
            ...(reply.toolCalls.length > 0
              ? {
                  tool_calls: reply.toolCalls.map((call) => ({
                    id: call.id,
                    type: 'function',
                    function: { name: call.name, arguments: call.arguments },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: finishReason(reply),
        },
      ],
      usage: usageOf(reply),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
  },

  renderStream(reply, request, ids) {
    const id = ids('chatcmpl');
    const created = nowInSeconds();
    // Usage arrives in a final chunk with no choices, and only when asked for — as the real API does.
    const includeUsage = request['stream_options']?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      serverSentEvent({
        id,
        object: 'chat.completion.chunk',
        created,
        model: reply.model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      });
    const delta = (value: Record<string, unknown>, finish: string | null = null) => [{ index: 0, delta: value, logprobs: null, finish_reason: finish }];

    const frames = [chunk(delta({ role: 'assistant', content: reply.text === '' && reply.toolCalls.length > 0 ? null : '', refusal: null }))];
    for (const piece of textDeltas(reply.text)) frames.push(chunk(delta({ content: piece })));
    reply.toolCalls.forEach((call, index) => {
      frames.push(chunk(delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] })));
      for (const piece of argumentDeltas(call.arguments)) {
        frames.push(chunk(delta({ tool_calls: [{ index, function: { arguments: piece } }] })));
      }
    });
    frames.push(chunk(delta({}, finishReason(reply))));
    if (includeUsage) frames.push(chunk([], { usage: usageOf(reply) }));
    frames.push(serverSentEvent('[DONE]'));
    return frames;
  },

  errorBody(status, message, errorType) {
    return openAIErrorBody(status, message, errorType);
  },
};

function finishReason(reply: Reply): string {
  return reply.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function usageOf({ usage }: Reply) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
