import type { JsonValue, StackOptions } from '@keel/core';

// Stored values are shown with core's one JSON view (`toJsonView`, `errorJsonView`), as the CLI and
// the HTTP API show them; these helpers only lay that JSON out for answers.

/** JSON text of a value as answers show it (two-space indents). */
export function jsonText(value: JsonValue): string {
  return JSON.stringify(value, null, 2);
}

/** The first `limit` characters of a value's JSON, on one line, for lists and summaries. */
export function oneLine(value: JsonValue, limit: number): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= limit ? flat : `${flat.slice(0, limit)}… (+${flat.length - limit} characters)`;
}

/** How answers shorten error stacks: at most `stackLines` lines (all when left out), pointing to the whole stack. */
export function shortStacks(stackLines: number | undefined): StackOptions {
  return stackLines === undefined ? {} : { stackLines, moreLinesHint: 'get_checkpoint shows the whole stack' };
}
