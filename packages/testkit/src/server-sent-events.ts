/**
 * One server-sent event. Anthropic's client skips events without an `event:` line, and OpenAI's real
 * Responses stream names them too; Chat Completions sends bare `data:` lines.
 */
export function serverSentEvent(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}

/** Splits text into deltas one word at a time (keeping whitespace), so clients must concatenate. */
export function textDeltas(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

/** Splits tool-call arguments into short pieces, so clients must reassemble partial JSON. */
export function argumentDeltas(serialized: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < serialized.length; start += 8) pieces.push(serialized.slice(start, start + 8));
  return pieces;
}
