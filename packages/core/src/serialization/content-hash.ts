import { createHash } from 'node:crypto';

/** The content address of a serialized payload: `sha256:<hex>`. */
export function contentHash(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
