/**
 * One event of a `text/event-stream` body as Keel records it: the event type and its data, parsed as
 * JSON (what every Anthropic event carries). Data that is not JSON is kept as text with `raw: true`,
 * so that replay sends exactly what was received.
 */
export interface ServerSentEvent {
  /** The `event:` field (`message_start`, `content_block_delta`, `ping` …); absent when the frame had none. */
  readonly event?: string;
  /** The `data:` field, parsed as JSON (or the text itself with `raw: true`). */
  readonly data: unknown;
  /** Set when the data was not JSON and is stored as text. */
  readonly raw?: true;
}

/** Reads a `text/event-stream` body frame by frame. */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // Frames end with a blank line; line ends may be \n, \r\n or \r.
      for (;;) {
        const end = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
        if (!end) break;
        const frame = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end[0].length);
        const event = parseFrame(frame);
        if (event) yield event;
      }
      if (done) break;
    }
    const last = parseFrame(buffer);
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}

function parseFrame(frame: string): ServerSentEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of frame.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (event === undefined && data.length === 0) return undefined;
  const text = data.join('\n');
  try {
    return { ...(event !== undefined ? { event } : {}), data: JSON.parse(text) as unknown };
  } catch {
    return { ...(event !== undefined ? { event } : {}), data: text, raw: true };
  }
}

/** The wire form of one recorded event. */
export function formatServerSentEvent(event: ServerSentEvent): string {
  const text = event.raw && typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  const lines = event.event !== undefined ? [`event: ${event.event}`] : [];
  for (const line of text.split('\n')) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}
