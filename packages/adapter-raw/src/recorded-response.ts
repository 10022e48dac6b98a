/**
 * A `Response` as a checkpoint stores it. A `Response` is a one-shot stream, not data, so `durable()`
 * reads it once, stores status, headers and body, and hands the caller (and every replay) a fresh
 * `Response` built from the record.
 */
export interface RecordedResponse {
  readonly 'keel.response': {
    /** The HTTP status. */
    readonly status: number;
    /** The status text. */
    readonly statusText: string;
    /** The response headers, names lower-cased. */
    readonly headers: Readonly<Record<string, string>>;
    /** The body as text, when it is text. */
    readonly text?: string;
    /** The body as base64, when it is binary. */
    readonly base64?: string;
  };
}

const textual = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|x-ndjson))/i;

/** Reads a response to its end and records it. */
export async function recordResponse(response: Response): Promise<RecordedResponse> {
  const headers = Object.fromEntries(response.headers.entries());
  const bytes = new Uint8Array(await response.arrayBuffer());
  const isText = textual.test(response.headers.get('content-type') ?? '');
  return {
    'keel.response': {
      status: response.status,
      statusText: response.statusText,
      headers,
      ...(isText ? { text: new TextDecoder().decode(bytes) } : { base64: Buffer.from(bytes).toString('base64') }),
    },
  };
}

/** Whether a stored value is a recorded response. */
export function isRecordedResponse(value: unknown): value is RecordedResponse {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['keel.response'] === 'object';
}

/** A fresh `Response` with the recorded status, headers and body. */
export function replayResponse(recorded: RecordedResponse): Response {
  const { status, statusText, headers, text, base64 } = recorded['keel.response'];
  const replayHeaders = new Headers(headers);
  // The stored body is already decoded; these would describe the wire form.
  replayHeaders.delete('content-encoding');
  replayHeaders.delete('content-length');
  const body = text ?? (base64 !== undefined ? Buffer.from(base64, 'base64') : null);
  const bodyless = status === 204 || status === 205 || status === 304;
  return new Response(bodyless ? null : body, { status, statusText, headers: replayHeaders });
}
