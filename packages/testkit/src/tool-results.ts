import type { FakeRequest } from './fake-request.js';

/**
 * The tool results a request sends back to the model, oldest first, as text: Chat Completions `tool`
 * messages, Responses `function_call_output` items, Anthropic `tool_result` blocks. How many there are
 * tells a turn function how far the agent's loop has got, whatever the API.
 */
export function toolResultsOf(request: FakeRequest): string[] {
  const body = request.body;
  if (request.api === 'openai-chat') {
    return asArray(body['messages'])
      .filter((message) => message['role'] === 'tool')
      .map((message) => asText(message['content']));
  }
  if (request.api === 'openai-responses') {
    return asArray(body['input'])
      .filter((item) => item['type'] === 'function_call_output')
      .map((item) => asText(item['output']));
  }
  if (request.api === 'anthropic-messages') {
    return asArray(body['messages'])
      .flatMap((message) => asArray(message['content']))
      .filter((block) => block['type'] === 'tool_result')
      .map((block) => asText(block['content']));
  }
  return [];
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];
}

/** A result's text: a string as is, text parts joined, anything else as JSON. */
function asText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'object' && part !== null && typeof part.text === 'string' ? part.text : JSON.stringify(part))).join('');
  }
  return JSON.stringify(content);
}
