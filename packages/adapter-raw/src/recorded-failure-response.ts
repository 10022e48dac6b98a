/**
 * What the SDK gets for a call whose recorded outcome is a failure. An API error (a status and the
 * error body, as the SDK's `APIError` carries them) is answered as that same HTTP error, with
 * `x-should-retry: false`, so the SDK raises the same error class (`RateLimitError`,
 * `BadRequestError` …) it raised the first time, without retrying a replay. A call the caller
 * aborted is aborted again (through `abortController`, part of the request's signal), so the SDK
 * raises `APIUserAbortError` as it did, rather than taking the abort for a timeout. Anything else —
 * a divergence, a cancellation — is thrown as it is, which the SDK passes to the caller unchanged.
 */
export function recordedFailureResponse(error: unknown, abortController: AbortController): Response {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const status = fields.status;
  if (typeof status === 'number' && status >= 400 && status <= 599 && 'error' in fields) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-should-retry': 'false' };
    if (typeof fields.requestID === 'string') headers['request-id'] = fields.requestID;
    return new Response(JSON.stringify(fields.error ?? null), { status, headers });
  }
  if (fields.name === 'AbortError' || fields.name === 'APIUserAbortError') abortController.abort(error);
  throw error;
}
