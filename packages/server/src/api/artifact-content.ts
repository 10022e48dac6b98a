import type { ArtifactRecord } from '@keel/core';
import { toJsonView } from '@keel/core';

// Images a browser shows without running anything. SVG is not among them: it can carry script.
const inlineImageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/**
 * The headers every stored-content answer carries: no type sniffing, a policy under which nothing in
 * it can run or load (and `sandbox`, so even a page that slipped through would get a unique origin).
 */
export const storedContentHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
  'Cache-Control': 'private, no-cache',
};

/** The media type an artifact's content is served with, by its Keel type and its value. */
export function artifactMediaType(record: Pick<ArtifactRecord, 'type'>, value: unknown): string {
  const type = record.type.toLowerCase();
  if (value instanceof Uint8Array) return inlineImageTypes.has(type) ? type : 'application/octet-stream';
  if (typeof value === 'string') {
    // Markdown, HTML, SVG, XML … saved as text are shown as text: stored model or tool output is never
    // handed to the browser as a live document.
    return type === 'json' || type === 'application/json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
  }
  return 'application/json; charset=utf-8';
}

/** The artifact's content as a response: bytes, text, or JSON, with a safe type and headers. */
export function artifactContentResponse(record: ArtifactRecord, value: unknown): Response {
  const mediaType = artifactMediaType(record, value);
  const body: Uint8Array | string =
    value instanceof Uint8Array ? new Uint8Array(value) : typeof value === 'string' ? value : JSON.stringify(toJsonView(value), null, 2);
  const inline = !mediaType.startsWith('application/octet-stream');
  return new Response(body, {
    status: 200,
    headers: {
      ...storedContentHeaders,
      'Content-Type': mediaType,
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${fileNameOf(record.name)}"`,
      'X-Keel-Artifact-Type': asciiHeader(record.type),
    },
  });
}

function fileNameOf(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'artifact';
}

function asciiHeader(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}
