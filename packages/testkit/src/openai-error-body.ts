/**
 * OpenAI's error body, shared by Chat Completions and Responses:
 * `{ error: { message, type, param, code } }`. The `openai` client maps the status to its error class
 * (`RateLimitError`, `InternalServerError`, …) and exposes these fields on it.
 */
export function openAIErrorBody(status: number, message: string | undefined, errorType: string | undefined): unknown {
  const known = openAIErrors[status];
  return {
    error: {
      message: message ?? known?.message ?? `fake LLM error ${status}`,
      type: errorType ?? known?.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: null,
      code: known?.code ?? null,
    },
  };
}

const openAIErrors: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to make this request.', type: 'invalid_request_error', code: null },
  404: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests (fake LLM).', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that! (fake LLM)', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later. (fake LLM)', type: 'server_error', code: null },
};
