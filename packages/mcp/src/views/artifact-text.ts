import { toJsonView } from '@keel/core';
import type { ArtifactRecord } from '@keel/core';
import { jsonText } from './json-view.js';

/**
 * An artifact's value as text: a string as it is (a report, markdown), bytes as base64, anything else
 * as JSON. Paging offsets then address the artifact itself.
 */
export function artifactText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return jsonText(toJsonView(value));
}

/** The media type of an artifact as a resource. */
export function artifactMimeType(artifact: ArtifactRecord, value: unknown): string {
  if (artifact.type.includes('/')) return artifact.type;
  if (value instanceof Uint8Array || artifact.type === 'binary') return 'application/octet-stream';
  if (artifact.type === 'markdown') return 'text/markdown';
  if (typeof value === 'string') return 'text/plain';
  return 'application/json';
}
