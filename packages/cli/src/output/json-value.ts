import { toJsonView } from '@keel/core';

// Stored values are shown with core's one JSON view, as the HTTP API and the MCP server show them.

/** Pretty JSON (two-space indent) of any decoded value. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(toJsonView(value), null, 2);
}

/** One-line JSON of any decoded value, cut to `width` characters. */
export function previewJson(value: unknown, width = 80): string {
  const text = JSON.stringify(toJsonView(value)) ?? 'null';
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}
