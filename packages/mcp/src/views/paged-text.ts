import type { JsonValue } from '@keel/core';

/** How much of a long answer to return in one call. */
export interface Paging {
  /** Return at most this many characters (default {@link defaultMaxChars}). */
  readonly maxChars?: number | undefined;
  /** Start at this character of the whole answer (default 0). */
  readonly offset?: number | undefined;
}

/** The default size of one page: about 5,000 tokens, so a single call never floods a model's context. */
export const defaultMaxChars = 20_000;

/** The largest page a caller may ask for. */
export const largestMaxChars = 200_000;

/**
 * One page of a long text. When text remains after the page, a last line says how much and the
 * `offset` to call again with; a page that does not start at 0 says where it starts.
 */
export function pageText(text: string, paging: Paging = {}): string {
  const maxChars = paging.maxChars ?? defaultMaxChars;
  const offset = paging.offset ?? 0;
  if (offset === 0 && text.length <= maxChars) return text;
  if (offset >= text.length) {
    return `[offset ${offset} is past the end: this answer has ${text.length} characters; call again with a smaller offset]`;
  }
  const end = Math.min(text.length, offset + maxChars);
  const page = text.slice(offset, end);
  const head = offset > 0 ? `[characters ${offset}–${end} of ${text.length}]\n` : '';
  const rest = text.length - end;
  const tail = rest > 0 ? `\n\n[truncated: ${rest} more characters; call again with offset=${end} to read on]` : '';
  return `${head}${page}${tail}`;
}

/**
 * A value for a document that shows several values: the value itself, or, when its JSON is longer than
 * `limit` characters, its beginning and where to read all of it. This keeps one big prompt from pushing
 * the rest of an answer out of the page.
 */
export function previewValue(value: JsonValue, limit: number, readAll: string): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined || text.length <= limit) return value;
  return { $truncated: `${text.slice(0, limit)}…`, characters: text.length, readAll };
}
